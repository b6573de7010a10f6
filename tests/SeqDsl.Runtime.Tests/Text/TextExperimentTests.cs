using SeqDsl.Runtime.Cli;
using SeqDsl.Runtime.Experiments;
using SeqDsl.Runtime.Generation;
using SeqDsl.Runtime.Sampling;
using SeqDsl.Runtime.Text;
using SeqDsl.Runtime.Training;

namespace SeqDsl.Runtime.Tests.Text;

/// <summary>The generated CharLstm experiment end to end on the embedded corpus: training with samples, then generation.</summary>
public sealed class TextExperimentTests : IClassFixture<TextExperimentTests.TrainedModel>
{
    /// <summary>Trains the char LSTM for a few steps once for all tests of this class.</summary>
    public sealed class TrainedModel : IDisposable
    {
        public string Folder { get; } = Path.Combine(Path.GetTempPath(), "seqdsl-text-" + Guid.NewGuid().ToString("N"));
        public StringWriter Output { get; } = new();
        public TrainingHistory History { get; }

        public static ExperimentSpec Spec => CharLstmModel.Experiment with
        {
            Training = CharLstmModel.Experiment.Training with { Epochs = 1, StepsPerEpoch = 4, ValidationSteps = 2 },
            Sampling = new SamplingSpec { Temperatures = new[] { 0.2, 1.2 }, Length = 20 },
        };

        public TrainedModel()
        {
            History = new TextExperimentRunner(Spec, new RunOptions { OutputDirectory = Folder, Device = DeviceChoice.Cpu }, Output, NullProgress.Instance).Train();
        }

        public TextExperimentRunner Runner(StringWriter? output = null) => new(Spec, new RunOptions { OutputDirectory = Folder }, output ?? new StringWriter(), NullProgress.Instance);

        public void Dispose()
        {
            try { Directory.Delete(Folder, recursive: true); } catch (DirectoryNotFoundException) { }
        }
    }

    private readonly TrainedModel _trained;

    public TextExperimentTests(TrainedModel trained) => _trained = trained;

    [Fact]
    public void Training_writes_vocabulary_samples_history_and_checkpoints()
    {
        foreach (var file in new[] { "vocabulary.json", "samples.json", "history.csv", "loss.png", "metrics.json", "best.pt" })
            Assert.True(File.Exists(Path.Combine(_trained.Folder, file)), file);
        Assert.Single(_trained.History.Epochs);
        Assert.True(_trained.History.Epochs[0].Loss is > 0 and < 10);
        Assert.NotNull(_trained.History.Epochs[0].ValLoss);
        var vocabulary = CharVocabulary.Load(Path.Combine(_trained.Folder, "vocabulary.json"));
        Assert.Equal(CharVocabulary.Build(TextCorpus.Embedded.ToLowerInvariant()).Chars, vocabulary.Chars);
        string output = _trained.Output.ToString();
        Assert.Contains("--- temperature 0.2:", output);
        Assert.Contains("--- temperature 1.2:", output);
        string samples = File.ReadAllText(Path.Combine(_trained.Folder, "samples.json"));
        Assert.Contains("\"temperature\": 1.2", samples);
    }

    [Fact]
    public void Generation_uses_the_vocabulary_recorded_in_the_checkpoint_not_a_file_from_another_run()
    {
        string copy = Path.Combine(_trained.Folder, "copy");
        Directory.CreateDirectory(copy);
        File.Copy(Path.Combine(_trained.Folder, "best.pt"), Path.Combine(copy, "best.pt"));
        var trained = CharVocabulary.Load(Path.Combine(_trained.Folder, "vocabulary.json"));
        // Another corpus's vocabulary of the same size: with it, every index would mean another character.
        new CharVocabulary(trained.Chars.Reverse().ToArray()).Save(Path.Combine(copy, "vocabulary.json"));
        var options = new GenerateOptions { PrimeText = "the mountains", Length = 40, RandomSeed = 3 };

        var original = _trained.Runner().Generate(options);
        var moved = new TextExperimentRunner(TrainedModel.Spec, new RunOptions { Checkpoint = Path.Combine(copy, "best.pt") }, new StringWriter(), NullProgress.Instance)
            .Generate(options);

        Assert.Equal(original.Generated, moved.Generated);
        Assert.Equal(trained.Chars.Select(c => (int)c), Checkpoint.ReadInfo(Path.Combine(copy, "best.pt"))!.Vocabulary!);
    }

    [Fact]
    public void A_checkpoint_without_a_recorded_vocabulary_must_fit_the_vocabulary_file_beside_it()
    {
        string legacy = Path.Combine(_trained.Folder, "legacy");
        string checkpoint = Path.Combine(legacy, "best.pt");
        string vocabularyPath = Path.Combine(legacy, "vocabulary.json");
        var (model, vocabulary) = Load();
        Checkpoint.SaveAtomic(model, checkpoint);
        new CharVocabulary(vocabulary.Chars.Append('\u00e9').ToArray()).Save(vocabularyPath);

        var error = Assert.Throws<ExperimentException>(() =>
            new TextExperimentRunner(TrainedModel.Spec, new RunOptions { Checkpoint = checkpoint }, new StringWriter(), NullProgress.Instance)
                .Generate(new GenerateOptions { PrimeText = "the", Length = 5 }));

        Assert.Contains($"Checkpoint '{checkpoint}' does not fit the {vocabulary.Size + 1}-character vocabulary in '{vocabularyPath}'", error.Message);
        Assert.Contains("come from different runs", error.Message);
    }

    [Fact]
    public void Generation_with_a_fixed_seed_and_sampler_repeats_itself()
    {
        var options = new GenerateOptions { PrimeText = "the mountains", Length = 30, Sampling = new SamplingOptions { Temperature = 0.7 }, RandomSeed = 5 };
        var first = _trained.Runner().Generate(options);
        var second = _trained.Runner().Generate(options);
        Assert.Equal(first.Generated, second.Generated);
        Assert.Equal(30, first.Generated.Length);
        Assert.NotEqual(first.Generated, _trained.Runner().Generate(options with { RandomSeed = 6 }).Generated);
    }

    [Fact]
    public void Low_temperature_text_is_more_repetitive_than_high_temperature_text()
    {
        var (model, vocabulary) = Load();
        var generator = new TextGenerator(model, vocabulary, 60);
        double Distinct(double temperature)
        {
            string text = generator.Generate("the mountains are", 600, new Sampler(new SamplingOptions { Temperature = temperature }, 11), GenerationMode.Stateful).Generated;
            var bigrams = Enumerable.Range(0, text.Length - 1).Select(i => text.Substring(i, 2)).ToList();
            return bigrams.Distinct().Count() / (double)bigrams.Count;
        }
        double cold = Distinct(0.2), hot = Distinct(1.2);
        Assert.True(cold < hot, $"distinct-bigram ratio at T=0.2: {cold:F3}, at T=1.2: {hot:F3}");
    }

    [Fact]
    public void Stateful_and_window_modes_agree_on_the_first_character_after_a_full_window()
    {
        var (model, vocabulary) = Load();
        var generator = new TextGenerator(model, vocabulary, 60);
        string seed = TextCorpus.Embedded.ToLowerInvariant().Substring(1000, 60);
        var greedy = new SamplingOptions { Kind = SamplerKind.Greedy };
        string window = generator.Generate(seed, 1, new Sampler(greedy, 1), GenerationMode.Window).Generated;
        string stateful = generator.Generate(seed, 1, new Sampler(greedy, 1), GenerationMode.Stateful).Generated;
        Assert.Equal(window, stateful);
    }

    [Fact]
    public void A_seed_with_characters_outside_the_vocabulary_is_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => _trained.Runner().Generate(new GenerateOptions { PrimeText = "naïve ☃", Length = 5 }));
        Assert.Contains("'☃'", error.Message);
        Assert.Contains("outside the vocabulary", error.Message);
    }

    [Theory]
    [InlineData(new[] { "generate", "--temperature", "0" }, "--temperature takes a number greater than 0; received '0'")]
    [InlineData(new[] { "generate", "--mode", "fast" }, "--mode takes window or stateful; received 'fast'")]
    [InlineData(new[] { "generate", "--sampler", "beam" }, "--sampler takes greedy or stochastic; received 'beam'")]
    [InlineData(new[] { "generate", "--top-p", "1.5" }, "--top-p takes a number greater than 0 and at most 1; received '1.5'")]
    [InlineData(new[] { "generate", "--length", "10000000" }, "--length takes at most 1,000,000 characters; received 10000000")]
    public void Bad_generate_flags_exit_with_2(string[] args, string message)
    {
        var error = new StringWriter();
        Assert.Equal(2, SeqDslCli.Run(args, new[] { TrainedModel.Spec }, null, new StringWriter(), error));
        Assert.Contains(message, error.ToString());
    }

    [Theory]
    [InlineData("window")]
    [InlineData("stateful")]
    public void Generate_prints_the_primetext_and_the_continuation_only(string mode)
    {
        // A prime text shorter than maxlen (60): window mode pads what the model reads, never what it prints.
        const string prime = "the mountains";
        var output = new StringWriter();
        var error = new StringWriter();
        int code = SeqDslCli.Run(new[] { "generate", "--checkpoint", Path.Combine(_trained.Folder, "best.pt"), "--primetext", prime, "--length", "30",
                                         "--mode", mode, "--sampling-seed", "5", "--temperature", "0.7" },
            new[] { TrainedModel.Spec }, null, output, error);

        Assert.True(code == 0, error.ToString());
        string text = output.ToString();
        int end = text.IndexOf($"{Environment.NewLine}{Environment.NewLine}30 characters in", StringComparison.Ordinal);
        Assert.True(end > 0, text);
        string written = text[..end];
        var expected = _trained.Runner().Generate(new GenerateOptions
        {
            PrimeText = prime, Length = 30, Mode = Enum.Parse<GenerationMode>(mode, ignoreCase: true), RandomSeed = 5,
            Sampling = new SamplingOptions { Temperature = 0.7 },
        });
        Assert.Equal(prime + expected.Generated, written);
    }

    [Fact]
    public void A_primetext_with_characters_outside_the_vocabulary_is_named_as_the_flag()
    {
        var error = new StringWriter();
        int code = SeqDslCli.Run(new[] { "generate", "--checkpoint", Path.Combine(_trained.Folder, "best.pt"), "--primetext", "snow ☃" },
            new[] { TrainedModel.Spec }, null, new StringWriter(), error);

        Assert.Equal(1, code);
        Assert.StartsWith("error: --primetext: The text has 1 character outside the vocabulary: '☃'", error.ToString());
    }

    [Fact]
    public void Generate_on_a_series_experiment_is_refused()
    {
        var error = new StringWriter();
        Assert.Equal(2, SeqDslCli.Run(new[] { "generate" }, new[] { SmallWeatherModel.Experiment }, null, new StringWriter(), error));
        Assert.Contains("not a text experiment", error.ToString());
    }

    private (TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> Model, CharVocabulary Vocabulary) Load()
    {
        var vocabulary = CharVocabulary.Load(Path.Combine(_trained.Folder, "vocabulary.json"));
        var model = new CharLstmModel(vocabulary.Size);
        Checkpoint.Load(model, Path.Combine(_trained.Folder, "best.pt"));
        return (model, vocabulary);
    }
}
