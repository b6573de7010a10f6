using System;
using System.Collections.Generic;
using TorchSharp;

namespace SeqDsl.Runtime;

/// <summary>
/// The contract between a generated model class and the runtime: every class SeqDsl generates from a spec
/// implements it, so runners, generation and tests read a model's build-time facts without reflection.
/// </summary>
public interface ISeqDslModel
{
    /// <summary>The model's name in the spec.</summary>
    string ModelName { get; }

    /// <summary>The spec file the class is generated from.</summary>
    string SpecFile { get; }

    /// <summary>The sizes this instance was built for (the vocabulary of a text task, when the spec names it).</summary>
    ModelSizes Sizes { get; }

    /// <summary>The input the forward pass checks for.</summary>
    ModelInput Input { get; }

    /// <summary>Each layer's name, type, output shape and parameters, as inferred at build time for <see cref="Sizes"/>.</summary>
    IReadOnlyList<LayerSummary> Layers { get; }

    /// <summary>Trainable parameters for <see cref="Sizes"/>, as inferred at build time (TorchSharp's layout).</summary>
    long ParameterCount { get; }

    /// <summary>The layer modules in the spec's order, for code that runs them one by one (stateful generation).</summary>
    IReadOnlyList<torch.nn.Module<torch.Tensor, torch.Tensor>> LayerModules { get; }

    /// <summary>A Keras-style table of the layers, their output shapes and parameter counts.</summary>
    string Summary();
}

/// <summary>The sizes a spec leaves to run time: a text task's vocabulary, which only its corpus knows.</summary>
/// <param name="Vocabulary">The vocabulary size ('vocab' in a spec); null when the run has none.</param>
public sealed record ModelSizes(int? Vocabulary = null)
{
    /// <summary>No run-time sizes: enough for every spec that names none.</summary>
    public static ModelSizes None { get; } = new();

    /// <summary>The vocabulary size, for a model whose spec names 'vocab'.</summary>
    /// <exception cref="InvalidOperationException">The sizes have no vocabulary.</exception>
    public int RequireVocabulary(string modelName)
        => Vocabulary ?? throw new InvalidOperationException($"{modelName} is sized by its corpus's vocabulary ('vocab' in its spec): create it with ModelSizes {{ Vocabulary = … }}.");
}

/// <summary>A model's input for one set of sizes.</summary>
/// <param name="Time">The fixed time length, or null when it is open.</param>
/// <param name="Features">Features per time step; 0 when the input is (batch, time) int64 token ids.</param>
/// <param name="Tokens">Whether the input is int64 token ids.</param>
/// <param name="Shape">The input's shape as the spec states it, with named sizes, e.g. "(None, 60, vocab)".</param>
public sealed record ModelInput(int? Time, int Features, bool Tokens, string Shape);
