using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using SeqDsl.Runtime.Layers;
using SeqDsl.Runtime.Sampling;
using SeqDsl.Runtime.Text;
using SeqDsl.Runtime.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Generation;

/// <summary>How the next character's distribution is computed.</summary>
public enum GenerationMode
{
    /// <summary>The lecture's way: re-run the model on the last maxlen characters for every new character.</summary>
    Window,
    /// <summary>Carry the recurrent state: one step per character after reading the seed once.</summary>
    Stateful,
}

/// <summary>Text written by <see cref="TextGenerator"/>, with how fast it came.</summary>
/// <param name="Seed">The seed text as the model saw it (lower-cased, padded or cut to maxlen in window mode).</param>
/// <param name="Generated">The new characters.</param>
/// <param name="Seconds">Time spent generating (not counting the seed's first pass).</param>
public sealed record GeneratedText(string Seed, string Generated, double Seconds)
{
    /// <summary>New characters per second.</summary>
    public double CharactersPerSecond => Generated.Length / Math.Max(Seconds, 1e-9);
}

/// <summary>
/// Writes text with a character-level model: window mode re-runs the model on the last maxlen characters
/// (as the lecture does), stateful mode carries each recurrent layer's state and costs one step per
/// character. Stateful mode runs the layers that have a single step (<see cref="IStepLayer"/>); on the CPU it runs
/// them in managed code (<see cref="HostStepper"/>), elsewhere, or for options that code does not cover, as tensors.
/// </summary>
public sealed class TextGenerator
{
    // Rooted: a temporary scalar can be finalized while libtorch reads it (see TorchScalars).
    private static readonly Scalar ProbabilityFloor = 1e-30f;

    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly CharVocabulary _vocabulary;
    private readonly int _maxLen;
    private readonly TextEncoding _encoding;

    /// <summary>Creates a generator for a trained model and the vocabulary it was trained with.</summary>
    public TextGenerator(nn.Module<Tensor, Tensor> model, CharVocabulary vocabulary, int maxLen, TextEncoding encoding = TextEncoding.OneHot)
    {
        _model = model;
        _vocabulary = vocabulary;
        _maxLen = maxLen;
        _encoding = encoding;
    }

    /// <summary>
    /// Whether stateful mode may run the managed CPU step (default true); false always steps with TorchSharp tensors,
    /// as on other devices. Both give the same distributions up to float rounding.
    /// </summary>
    public bool UseManagedStatefulStep { get; set; } = true;

    /// <summary>Whether the latest stateful call ran the managed CPU step, and if not, why.</summary>
    internal (bool OnHost, string? Reason) LastStatefulPath { get; private set; }

    /// <summary>Generates <paramref name="length"/> characters after <paramref name="seed"/>.</summary>
    /// <param name="seed">The text to continue.</param>
    /// <param name="length">Characters to write.</param>
    /// <param name="sampler">Picks each character from the model's distribution.</param>
    /// <param name="mode">Window or stateful.</param>
    /// <param name="stream">
    /// Receives the characters as they come, flushed every <see cref="StreamChunk"/> characters, so that a long text
    /// shows while it is written; null: only the returned text has them.
    /// </param>
    /// <exception cref="ArgumentException">The seed has characters outside the vocabulary (the message lists them).</exception>
    public GeneratedText Generate(string seed, int length, Sampler sampler, GenerationMode mode = GenerationMode.Window, TextWriter? stream = null)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length), length, "The length must be 0 or more.");
        if (seed.Length == 0) throw new ArgumentException("The seed text is empty; give at least one character.", nameof(seed));
        var ids = new List<int>(_vocabulary.Encode(seed));
        _model.eval();
        using var noGrad = no_grad();
        var output = new Output(length, stream);
        return mode == GenerationMode.Stateful ? Stateful(seed, ids, length, sampler, output) : Window(ids, length, sampler, output);
    }

    /// <summary>Characters per write to the stream of <see cref="Generate"/>.</summary>
    public const int StreamChunk = 64;

    /// <summary>The generated characters, passed on to a stream in chunks.</summary>
    private sealed class Output(int capacity, TextWriter? stream)
    {
        private readonly StringBuilder _text = new(capacity);
        private int _written;

        public void Append(char c)
        {
            _text.Append(c);
            if (stream is not null && _text.Length - _written >= StreamChunk) Flush();
        }

        public string Finish()
        {
            if (stream is not null) Flush();
            return _text.ToString();
        }

        private void Flush()
        {
            stream!.Write(_text.ToString(_written, _text.Length - _written));
            _written = _text.Length;
            stream.Flush();
        }
    }

    private GeneratedText Window(List<int> ids, int length, Sampler sampler, Output output)
    {
        // The model takes exactly maxlen characters: a short seed is padded on the left with its first character.
        while (ids.Count < _maxLen) ids.Insert(0, ids[0]);
        var window = ids.Skip(ids.Count - _maxLen).ToList();
        string seedText = _vocabulary.Decode(window.ToArray());
        var clock = Stopwatch.StartNew();
        var logitsBuffer = new float[_vocabulary.Size];
        for (int i = 0; i < length; i++)
        {
            using var scope = NewDisposeScope();
            var input = Encode(window.ToArray(), window.Count);
            int next = sampler.Next(Scores(NextLogits(input), logitsBuffer));
            output.Append(_vocabulary.Chars[next]);
            window.RemoveAt(0);
            window.Add(next);
        }
        return new GeneratedText(seedText, output.Finish(), clock.Elapsed.TotalSeconds);
    }

    private GeneratedText Stateful(string seed, List<int> ids, int length, Sampler sampler, Output output)
    {
        var modules = LayersOf(_model);
        var layers = StepLayers.TryResolve(modules, out string? reason)
            ?? throw new NotSupportedException($"Stateful generation runs {StepLayers.Supported}; {reason}. Use --mode window.");
        reason = "disabled";
        if (UseManagedStatefulStep && HostStepper.TryCreate(modules, _vocabulary.Size, _encoding, out reason) is { } host)
        {
            LastStatefulPath = (true, null);
            return StatefulOnHost(seed, ids, length, sampler, host, output);
        }
        LastStatefulPath = (false, reason);
        var states = new Tensor[]?[layers.Length];
        var logitsBuffer = new float[_vocabulary.Size];
        using var outer = NewDisposeScope();
        // Read the whole seed once; every later character is a single step.
        var logits = Step(layers, states, Encode(ids.ToArray(), ids.Count));
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < length; i++)
        {
            int next = sampler.Next(Scores(logits, logitsBuffer));
            output.Append(_vocabulary.Chars[next]);
            var previousLogits = logits;
            var previousStates = (Tensor[]?[])states.Clone();
            using (var scope = NewDisposeScope())
            {
                logits = Step(layers, states, Encode(new[] { next }, 1));
                for (int s = 0; s < states.Length; s++)
                    if (states[s] is { } state) foreach (var t in state) t.MoveToOuterDisposeScope();
                logits.MoveToOuterDisposeScope();
            }
            // Only the newest state and logits are needed: release the step's inputs so long texts stay flat in memory.
            previousLogits.Dispose();
            foreach (var state in previousStates)
                if (state is not null) foreach (var t in state) t.Dispose();
        }
        return new GeneratedText(seed, output.Finish(), clock.Elapsed.TotalSeconds);
    }

    private GeneratedText StatefulOnHost(string seed, List<int> ids, int length, Sampler sampler, HostStepper host, Output output)
    {
        // The seed, one character at a time; then one step per generated character (none after the last).
        ReadOnlySpan<float> logits = default;
        foreach (int id in ids) logits = host.Step(id);
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < length; i++)
        {
            int next = sampler.Next(logits);
            output.Append(_vocabulary.Chars[next]);
            if (i + 1 < length) logits = host.Step(next);
        }
        return new GeneratedText(seed, output.Finish(), clock.Elapsed.TotalSeconds);
    }

    /// <summary>Runs the layers over a (1, T, …) chunk, carrying recurrent state; returns the logits after its last character.</summary>
    private static Tensor Step(IStepLayer[] layers, Tensor[]?[] states, Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Length; i++)
        {
            var (output, state) = layers[i].Step(x, states[i], last: i == layers.Length - 1);
            if (state is not null) states[i] = state;
            x = output;
        }
        return x;
    }

    private Tensor NextLogits(Tensor input)
        => _model is ILogitsModel withLogits ? withLogits.Logits(input) : _model.call(input).clamp_min(ProbabilityFloor).log();

    private Tensor Encode(int[] ids, int count)
    {
        var indices = tensor(ids.Select(i => (long)i).ToArray(), new long[] { 1, count }, dtype: int64);
        return _encoding == TextEncoding.Indices ? indices : nn.functional.one_hot(indices, _vocabulary.Size).to_type(float32);
    }

    private static float[] Scores(Tensor logits, float[] buffer)
    {
        var flat = logits.reshape(-1).cpu();
        flat.data<float>().CopyTo(buffer);
        return buffer;
    }

    private static IReadOnlyList<nn.Module<Tensor, Tensor>> LayersOf(nn.Module<Tensor, Tensor> model)
    {
        if (model is ISeqDslModel generated) return generated.LayerModules;
        return model.children().OfType<nn.Module<Tensor, Tensor>>().ToList();
    }
}
