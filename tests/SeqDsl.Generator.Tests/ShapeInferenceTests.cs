using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

public class ShapeInferenceTests
{
    private static IReadOnlyList<string> Shapes(string layers, string input = "{ features: 14, time: 240 }")
    {
        var result = GeneratorHarness.Run(("m.yaml", $"model: M\ninput: {input}\nlayers:\n{layers}"));
        Assert.Empty(result.Seq);
        // The layer table of the generated class lists each output shape.
        return result.Source("MModel").Split('\n')
            .Where(l => l.TrimStart().StartsWith("new(\"", StringComparison.Ordinal))
            .Select(l => l.Substring(l.IndexOf("new long?[]", StringComparison.Ordinal)).Split('}')[0] + "}")
            .ToList();
    }

    [Theory]
    [InlineData("valid", 1, 1, "{ null, 236, 8 }")]
    [InlineData("same", 1, 1, "{ null, 240, 8 }")]
    [InlineData("causal", 1, 1, "{ null, 240, 8 }")]
    [InlineData("valid", 2, 1, "{ null, 118, 8 }")]
    [InlineData("same", 3, 1, "{ null, 80, 8 }")]
    [InlineData("valid", 1, 4, "{ null, 224, 8 }")]
    public void Conv1d_output_length_follows_keras(string padding, int strides, int dilation, string expected)
        => Assert.Equal($"new long?[] {expected}",
            Shapes($"  - conv1d: {{ filters: 8, kernel_size: 5, padding: {padding}, strides: {strides}, dilation_rate: {dilation} }}\n").Single());

    [Theory]
    [InlineData("max_pooling1d: { pool_size: 3 }", "{ null, 80, 14 }")]
    [InlineData("max_pooling1d: { pool_size: 7, strides: 2 }", "{ null, 117, 14 }")]
    [InlineData("average_pooling1d: { pool_size: 7, padding: same }", "{ null, 35, 14 }")]
    [InlineData("global_average_pooling1d", "{ null, 14 }")]
    public void Pooling_output_length_follows_keras(string layer, string expected)
        => Assert.Equal($"new long?[] {expected}", Shapes($"  - {layer}\n").Single());

    [Fact]
    public void Open_time_stays_open_through_convolutions()
        => Assert.Equal(new[] { "new long?[] { null, null, 8 }", "new long?[] { null, null, 8 }", "new long?[] { null, 8 }" },
            Shapes("  - conv1d: { filters: 8, kernel_size: 3 }\n  - max_pooling1d\n  - gru: { units: 8 }\n", "{ features: 3 }"));

    [Fact]
    public void Bidirectional_concat_doubles_the_features_and_sum_keeps_them()
    {
        Assert.Equal("new long?[] { null, 64 }", Shapes("  - bidirectional: { layer: { gru: { units: 32 } } }\n").Single());
        Assert.Equal("new long?[] { null, 240, 32 }", Shapes("  - bidirectional: { layer: { lstm: { units: 32, return_sequences: true } }, merge_mode: sum }\n").Single());
    }

    [Fact]
    public void Parameter_counts_use_torch_layout_and_report_the_keras_count()
    {
        // GRU(32) on 14 features: 3 * (32*14 + 32*32 + 2*32) = 4608 in both layouts (Keras reset_after=True).
        // LSTM(128) on 57 features: torch 4 * (128*57 + 128*128 + 2*128) = 95744, Keras one bias: 95232.
        var result = GeneratorHarness.Run(("m.yaml", "model: M\ninput: { features: 57, time: 60 }\nlayers:\n  - lstm: { units: 128 }\n  - dense: { units: 57, activation: softmax }\n"));
        string source = result.Source("MModel");
        Assert.Contains("public const long ParameterCount = 103097;", source);       // 95744 + 128*57 + 57
        Assert.Contains("public const long KerasParameterCount = 102585;", source);  // 95232 + 7353
    }
}

public class VocabularySizedModelTests
{
    private const string Text = "text: { maxlen: 60, step: 3 }\n";

    [Fact]
    public void Layers_sized_by_vocab_get_counts_as_polynomials_of_the_vocabulary()
    {
        var result = GeneratorHarness.Run(("c.yaml", "model: Char\nlayers:\n  - lstm: { units: 128 }\n  - dense: { units: vocab, activation: softmax }\n" + Text));
        Assert.Empty(result.Seq);
        string source = result.Source("CharModel");
        // LSTM(128) over one-hot input: 4·(128·V + 128·128 + 2·128); Dense(V) over 128: 128·V + V.
        Assert.Contains("public static long ParameterCountFor(int vocabularySize) => checked(641L * vocabularySize + 66560);", source);
        Assert.Contains("public CharModel(int vocabularySize) : base(ModelName)", source);
        Assert.Contains("new long?[] { null, vocabularySize }", source);
        Assert.Contains("global::SeqDsl.Runtime.Training.ILogitsModel", source);
    }

    [Fact]
    public void A_dense_layer_of_vocab_units_over_one_hot_input_is_quadratic()
    {
        var result = GeneratorHarness.Run(("c.yaml", "model: Bigram\nlayers:\n  - flatten\n  - dense: { units: vocab, activation: softmax }\ntext: { maxlen: 1 }\n"));
        Assert.Empty(result.Seq);
        Assert.Contains("ParameterCountFor(int vocabularySize) => checked(1L * vocabularySize * vocabularySize + 1L * vocabularySize);", result.Source("BigramModel"));
    }

    [Fact]
    public void A_number_in_a_text_model_stays_a_number()
    {
        var result = GeneratorHarness.Run(("c.yaml", "model: Char\nlayers:\n  - lstm: { units: 100003 }\n  - dense: { units: vocab, activation: softmax }\n" + Text));
        Assert.Empty(result.Seq);
        string source = result.Source("CharModel");
        Assert.Contains("new(\"lstm_1\", \"LSTM\", new long?[] { null, 100003 }", source);
        Assert.Contains("lstm_1 (LSTM)                    (None, 100003)", source);
        Assert.Contains("new long?[] { null, vocabularySize }", source);
    }

    [Fact]
    public void A_flattened_one_hot_window_is_a_multiple_of_the_vocabulary()
    {
        var result = GeneratorHarness.Run(("c.yaml", "model: Flat\nlayers:\n  - flatten\n  - dense: { units: vocab, activation: softmax }\ntext: { maxlen: 60 }\n"));
        Assert.Empty(result.Seq);
        string source = result.Source("FlatModel");
        Assert.Contains("new long?[] { null, checked(60L * vocabularySize) }", source);
        Assert.Contains("(None, 60·vocab)", source);
        // Dense(V) over 60·V features: 60·V² weights and V biases.
        Assert.Contains("ParameterCountFor(int vocabularySize) => checked(60L * vocabularySize * vocabularySize + 1L * vocabularySize);", source);
        Assert.Contains("new global::SeqDsl.Runtime.Layers.Dense(\"dense_1\", checked(60L * vocabularySize), ", source);
        Assert.Empty(result.Output.GetDiagnostics().Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
    }

    [Fact]
    public void A_layer_named_vocab_is_no_named_size()
        => Assert.Empty(GeneratorHarness.Run(("c.yaml", "model: Plain\ninput: { features: 5 }\nlayers:\n  - dense: { units: 1, name: vocab }\n")).Seq);

    [Fact]
    public void Vocab_without_a_text_section_is_an_error()
    {
        var result = GeneratorHarness.Run(("c.yaml", "model: Char\ninput: { features: 5 }\nlayers:\n  - dense: { units: vocab }\n"));
        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2012", diagnostic.Id);
        Assert.Contains("no 'text' section", diagnostic.GetMessage());
    }

    [Fact]
    public void A_text_model_must_end_in_vocab_outputs()
    {
        var result = GeneratorHarness.Run(("c.yaml", "model: Char\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: 10, activation: softmax }\n" + Text));
        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ3007", diagnostic.Id);
        Assert.Contains("give it 'units: vocab'", diagnostic.GetMessage());
    }

    [Fact]
    public void A_text_task_trains_with_cross_entropy()
    {
        var result = GeneratorHarness.Run(("c.yaml", "model: Char\nlayers:\n  - lstm: { units: 8 }\n  - dense: { units: vocab, activation: softmax }\n" + Text + "training: { loss: mae }\n"));
        var diagnostic = Assert.Single(result.Seq);
        Assert.Equal("SEQ2012", diagnostic.Id);
        Assert.Contains("must be categorical_crossentropy", diagnostic.GetMessage());
    }
}
