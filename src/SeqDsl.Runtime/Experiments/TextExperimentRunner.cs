using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using SeqDsl.Runtime.Data;
using SeqDsl.Runtime.Generation;
using SeqDsl.Runtime.IO;
using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Sampling;
using SeqDsl.Runtime.Text;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Experiments;

/// <summary>Options of the <c>generate</c> command.</summary>
public sealed record GenerateOptions
{
    /// <summary>The text to continue (char-rnn's primetext); null: a random window of the corpus, as the lecture does.</summary>
    public string? PrimeText { get; init; }
    /// <summary>Characters to write.</summary>
    public int Length { get; init; } = 400;
    /// <summary>Sampler, temperature, top-k and top-p.</summary>
    public SamplingOptions Sampling { get; init; } = new();
    /// <summary>Window (the lecture's) or stateful generation.</summary>
    public GenerationMode Mode { get; init; } = GenerationMode.Window;
    /// <summary>Seed of the sampler's random numbers: the same value writes the same text.</summary>
    public int RandomSeed { get; init; } = 42;
}

/// <summary>One text sample written during training.</summary>
public sealed record TextSample(int Epoch, double Temperature, string Seed, string Text);

/// <summary>
/// Runs a character-level text experiment: builds the vocabulary from the corpus (recorded in every
/// checkpoint, so generation uses the mapping the weights were trained with), trains with categorical cross-entropy from the logits,
/// prints samples at the spec's temperatures after every n-th epoch and saves them with the history.
/// </summary>
public sealed class TextExperimentRunner
{
    private readonly RunSetup _setup;
    private ExperimentSpec _spec => _setup.Spec;
    private RunOptions _options => _setup.Options;
    private TextWriter _out => _setup.Out;
    private ITrainingProgress _progress => _setup.Progress;

    /// <summary>Creates the runner; nothing runs until a command method is called.</summary>
    public TextExperimentRunner(ExperimentSpec spec, RunOptions? options = null, TextWriter? output = null, ITrainingProgress? progress = null)
    {
        _setup = new RunSetup(spec, options, output, progress);
    }

    private TextSpec Text => _spec.Text ?? throw new ExperimentException($"{_spec.SpecFile} has no 'text' section.");

    /// <summary>The run folder.</summary>
    public string OutputDirectory => _setup.OutputDirectory;

    /// <summary>The vocabulary file beside a checkpoint.</summary>
    public static string VocabularyPath(string checkpoint) => Path.Combine(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!, "vocabulary.json");

    /// <summary>
    /// Loads the corpus: --data, else the spec's url or nietzsche (downloaded once into the per-user cache), else its path
    /// (relative to the spec's folder), else the embedded text.
    /// </summary>
    public TextCorpus LoadCorpus()
    {
        var text = Text;
        var options = new TextCorpusOptions { Lowercase = text.Lowercase, ValidationFraction = text.ValidationFraction };
        string? path = _options.DataPath
            ?? (text.Url is { } url ? DataCache.Ensure(DownloadableFile.FromUrl(url, text.Sha256))
            : text.Corpus switch
            {
                PublicDataSets.EmbeddedCorpus => null,
                PublicDataSets.NietzscheCorpus => DataCache.Ensure(DownloadableFile.Nietzsche(text.Sha256)),
                var corpus => SpecPaths.RequireExisting(_spec, "text.corpus", corpus, "--data"),
            });
        return path is null ? TextCorpus.FromText(TextCorpus.Embedded, "embedded corpus", options) : TextCorpus.Load(path, options);
    }

    private CharWindowOptions Windows(bool shuffle) => new(Text.MaxLen, Text.Step, Text.BatchSize) { Shuffle = shuffle, Encoding = Text.Encoding };

    /// <summary>The Keras-style summary for the corpus's vocabulary.</summary>
    public string Summary() => _spec.Summary(new ModelSizes(LoadCorpus().Vocabulary.Size));

    /// <summary>
    /// `train`: trains, samples as it learns, writes checkpoints (each with the vocabulary), then history, loss plot,
    /// samples.json, metrics.json and vocabulary.json (a copy of the checkpoints' vocabulary for other readers).
    /// </summary>
    public TrainingHistory Train()
    {
        var text = Text;
        var training = _spec.Training;
        long seed = _setup.Seed;
        var (device, folderLock) = _setup.StartTraining();
        using var runLock = folderLock;

        var corpus = LoadCorpus();
        var vocabulary = corpus.Vocabulary;
        int trainingWindows = CharWindowSource.CountWindows(corpus.TrainLength, text.MaxLen, text.Step);
        int validationLength = corpus.Text.Length - corpus.TrainLength;
        if (trainingWindows == 0)
            throw new ExperimentException(
                $"{corpus.SourceName}: its {corpus.TrainLength:N0} training characters hold no window of maxlen {text.MaxLen} plus the next character; " +
                $"use a corpus of more than {text.MaxLen + 1} characters before the held-out part, or a smaller maxlen in {_spec.SpecFile}.");
        int validationSteps = 0;
        if (validationLength > 0)
        {
            int validationWindows = CharWindowSource.CountWindows(validationLength, text.MaxLen, text.Step);
            if (validationWindows == 0)
                throw new ExperimentException(
                    $"{corpus.SourceName}: the held-out {validationLength:N0} characters (validation_fraction {text.ValidationFraction}) hold no window of " +
                    $"maxlen {text.MaxLen} plus the next character; use a longer corpus, a larger validation_fraction, or validation_fraction 0 in {_spec.SpecFile}.");
            validationSteps = _options.ValidationSteps ?? training.ValidationSteps ?? CharWindowSource.StepsForOnePass(validationWindows, text.BatchSize);
        }
        torch.manual_seed(seed);
        var model = _spec.CreateModel(new ModelSizes(vocabulary.Size));
        model.to(device);
        _out.WriteLine(_spec.Summary(new ModelSizes(vocabulary.Size)));
        _out.WriteLine($"{corpus.SourceName}: {corpus.Text.Length:N0} characters, {vocabulary.Size} symbols, {trainingWindows:N0} training windows " +
                       $"(maxlen {text.MaxLen}, step {text.Step}), {corpus.Text.Length - corpus.TrainLength:N0} characters held out; device {device.type.ToString().ToLowerInvariant()}");
        _setup.ReportKernels(model, device);

        var samples = new List<TextSample>();
        var random = new Random((int)seed);
        var generator = new TextGenerator(model, vocabulary, text.MaxLen, text.Encoding);
        var progress = new SamplingProgress(_progress, record =>
        {
            if (record.Epoch % Math.Max(1, _spec.Sampling.Every) != 0) return;
            int start = random.Next(0, Math.Max(1, corpus.TrainLength - text.MaxLen));
            string windowSeed = corpus.Text.Substring(start, Math.Min(text.MaxLen, corpus.Text.Length - start));
            _out.WriteLine($"--- epoch {record.Epoch}, generating with seed: \"{Escape(windowSeed)}\"");
            foreach (double temperature in _spec.Sampling.Temperatures)
            {
                var sampler = new Sampler(new SamplingOptions { Temperature = temperature }, random.Next());
                var sample = generator.Generate(windowSeed, _spec.Sampling.Length, sampler);
                samples.Add(new TextSample(record.Epoch, temperature, windowSeed, sample.Generated));
                _out.WriteLine($"--- temperature {temperature}:");
                _out.WriteLine(sample.Generated);
            }
            WriteSamples(samples);
        });

        var options = _setup.TrainerOptions(validationSteps, seed, LossKind.CategoricalCrossEntropy) with { Vocabulary = vocabulary.Chars };
        var clock = Stopwatch.StartNew();
        using var trainer = new Trainer(model, options, device, progress);
        var history = RunFolder.Fit(trainer, _progress,
            () => new CharWindowSource(corpus, validation: false, Windows(text.Shuffle), seed, device),
            validationSteps > 0 ? () => new CharWindowSource(corpus, validation: true, Windows(false), 0, device) : null);
        RunFolder.WriteHistory(history, OutputDirectory, $"{_spec.Name}: training and validation loss");
        var best = history.Epochs.Where(e => e.ValLoss is not null).OrderBy(e => e.ValLoss).FirstOrDefault();
        var extra = new Dictionary<string, double>
        {
            ["final_train_loss"] = history.Epochs[^1].Loss,
            ["vocabulary_size"] = vocabulary.Size,
        };
        if (best?.ValLoss is double bestValLoss) extra["best_val_loss"] = bestValLoss;
        vocabulary.Save(Path.Combine(OutputDirectory, "vocabulary.json"));
        new MetricsReport
        {
            Experiment = _spec.Name,
            Target = "next character",
            TargetUnit = "nats",
            TargetStd = 1.0,
            BestEpoch = best?.Epoch,
            Epochs = history.Epochs.Count,
            TrainSeconds = clock.Elapsed.TotalSeconds,
            Extra = extra,
        }.Write(Path.Combine(OutputDirectory, "metrics.json"));
        _setup.ReportRunFolder("samples.json, vocabulary.json, history.csv, loss.png, metrics.json, best.pt, last.pt");
        return history;
    }

    /// <summary>
    /// `generate`: writes text from a checkpoint with the vocabulary recorded in it (or, for a checkpoint without one,
    /// the vocabulary.json beside it), streaming the characters to the output as they come.
    /// </summary>
    public GeneratedText Generate(GenerateOptions generate)
    {
        generate.Sampling.Validate();
        _setup.ConfigureTorch();
        string checkpoint = _setup.ExistingCheckpoint();
        var (vocabulary, vocabularySource) = VocabularyFor(checkpoint);
        var model = _spec.CreateModel(new ModelSizes(vocabulary.Size));
        try
        {
            RunFolder.LoadWeights(model, checkpoint, _spec);
        }
        catch (InvalidDataException e) when (vocabularySource != checkpoint)
        {
            throw new ExperimentException(
                $"Checkpoint '{checkpoint}' does not fit the {vocabulary.Size}-character vocabulary in '{vocabularySource}': they come from different runs ({e.Message}).");
        }

        string seed = generate.PrimeText ?? RandomSeedText(vocabulary);
        if (Text.Lowercase) seed = seed.ToLowerInvariant();
        var generator = new TextGenerator(model, vocabulary, Text.MaxLen, Text.Encoding);
        var sampler = new Sampler(generate.Sampling, generate.RandomSeed);
        // The prime text is checked before anything is written, so an error never follows half a line.
        try
        {
            vocabulary.Encode(seed);
        }
        catch (ArgumentException e) when (generate.PrimeText is not null)
        {
            throw new ArgumentException($"--primetext: {e.Message}", e);
        }
        // The prime text as given, then the continuation: never the window-mode padding the model reads.
        _out.Write(seed);
        var result = generator.Generate(seed, generate.Length, sampler, generate.Mode, _out);
        _out.WriteLine();
        _out.WriteLine();
        _out.WriteLine($"{result.Generated.Length} characters in {result.Seconds:F2} s ({result.CharactersPerSecond:F0} characters/s, {generate.Mode.ToString().ToLowerInvariant()} mode)");
        return result;
    }

    /// <summary>The vocabulary the checkpoint's weights were trained with, and the file it comes from.</summary>
    private (CharVocabulary Vocabulary, string Source) VocabularyFor(string checkpoint)
    {
        if (Checkpoint.ReadInfo(checkpoint)?.Vocabulary is { } recorded)
        {
            try
            {
                return (new CharVocabulary(recorded.Select(c => (char)c).ToArray()), checkpoint);
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"Checkpoint '{checkpoint}': its recorded vocabulary is not valid ({e.Message}).", e);
            }
        }
        // Checkpoints written before they recorded their vocabulary rely on the file beside them.
        string vocabularyPath = VocabularyPath(checkpoint);
        if (!File.Exists(vocabularyPath))
            throw new ExperimentException($"Checkpoint '{checkpoint}' records no vocabulary and there is none beside it ({vocabularyPath}); train again to get a checkpoint with its vocabulary.");
        return (CharVocabulary.Load(vocabularyPath), vocabularyPath);
    }

    private string RandomSeedText(CharVocabulary vocabulary)
    {
        var corpus = LoadCorpus();
        int start = new Random(7).Next(0, Math.Max(1, corpus.TrainLength - Text.MaxLen));
        return corpus.Text.Substring(start, Math.Min(Text.MaxLen, corpus.Text.Length - start));
    }

    private void WriteSamples(List<TextSample> samples)
        => AtomicFile.WriteText(Path.Combine(OutputDirectory, "samples.json"),
            JsonSerializer.Serialize(samples, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));

    private static string Escape(string text) => text.Replace("\n", "\\n");

    /// <summary>Passes progress through and samples after each epoch.</summary>
    private sealed class SamplingProgress : ITrainingProgress
    {
        private readonly ITrainingProgress _inner;
        private readonly Action<EpochRecord> _afterEpoch;

        public SamplingProgress(ITrainingProgress inner, Action<EpochRecord> afterEpoch)
        {
            _inner = inner;
            _afterEpoch = afterEpoch;
        }

        public void EpochStarted(int epoch, int epochs, int steps) => _inner.EpochStarted(epoch, epochs, steps);
        public void StepCompleted(int step, double loss) => _inner.StepCompleted(step, loss);
        public void ValidationStarted(int steps) => _inner.ValidationStarted(steps);

        public void EpochCompleted(EpochRecord record)
        {
            _inner.EpochCompleted(record);
            _afterEpoch(record);
        }
    }
}
