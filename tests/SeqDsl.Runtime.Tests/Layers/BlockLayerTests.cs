using SeqDsl.Runtime.Layers;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Layers;

/// <summary>The moving average and the blocks that compose paths of layers: branches, residual, series decomposition.</summary>
public class BlockLayerTests
{
    /// <summary>Multiplies its input by a constant: a layer whose output is known exactly.</summary>
    private sealed class Scale : nn.Module<Tensor, Tensor>
    {
        private readonly double _factor;

        public Scale(double factor) : base("scale") => _factor = factor;

        public override Tensor forward(Tensor input) => input * _factor;
    }

    /// <summary>The moving average written out in double precision: step t averages steps t − front … t + back, each clamped into the series.</summary>
    private static double[,,] MovingAverageOracle(float[,,] x, int kernel)
    {
        int batch = x.GetLength(0), time = x.GetLength(1), features = x.GetLength(2);
        int front = (kernel - 1) / 2, back = kernel / 2;
        var y = new double[batch, time, features];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < time; t++)
                for (int f = 0; f < features; f++)
                {
                    double sum = 0;
                    for (int j = -front; j <= back; j++) sum += x[b, Math.Clamp(t + j, 0, time - 1), f];
                    y[b, t, f] = sum / kernel;
                }
        return y;
    }

    private static float[,,] Values(Tensor x)
    {
        var shape = x.shape;
        var flat = x.contiguous().data<float>().ToArray();
        var values = new float[shape[0], shape[1], shape[2]];
        Buffer.BlockCopy(flat, 0, values, 0, flat.Length * sizeof(float));
        return values;
    }

    private static Tensor FromDoubles(double[,,] values)
    {
        var flat = new float[values.Length];
        int i = 0;
        foreach (var v in values) flat[i++] = (float)v;
        return tensor(flat).reshape(values.GetLength(0), values.GetLength(1), values.GetLength(2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(25)] // longer than the series: every window reaches past both ends
    public void Moving_average_matches_the_double_precision_formula(int kernel)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        var x = randn(2, 11, 3);
        var y = new MovingAverage("ma", new MovingAverageOptions(kernel)).call(x);

        TensorAssert.Shape(y, 2, 11, 3);
        // float32 sums of at most 25 standard-normal values: rounding stays near 1e-6, far below 1e-5.
        TensorAssert.Close(FromDoubles(MovingAverageOracle(Values(x), kernel)), y, atol: 1e-5);
    }

    [Fact]
    public void Moving_average_pads_odd_kernels_like_dlinear_and_puts_the_extra_step_of_even_ones_after()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 1f, 2f, 3f, 4f, 5f }).reshape(1, 5, 1);

        // Odd: (k − 1) / 2 copies of the first value before and of the last after, as DLinear's series_decomp.
        TensorAssert.Close(tensor(new[] { 4f / 3, 2f, 3f, 4f, 14f / 3 }).reshape(1, 5, 1), new MovingAverage("ma", new MovingAverageOptions(3)).call(x));
        // Even: step t averages t and t + 1; the last value is repeated after the end.
        TensorAssert.Close(tensor(new[] { 1.5f, 2.5f, 3.5f, 4.5f, 5f }).reshape(1, 5, 1), new MovingAverage("ma", new MovingAverageOptions(2)).call(x));
        Assert.Equal((12L, 12L), MovingAverage.Padding(25));
        Assert.Equal((1L, 2L), MovingAverage.Padding(4));
    }

    [Fact]
    public void Branches_merge_by_sum_mean_and_concat()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 4, 3);
        LayerPath[] Paths() => new[] { new LayerPath(new Scale(2)), new LayerPath(new Scale(3)) };

        TensorAssert.Close(x * 5, new Branches("b", Paths(), BranchMerge.Sum).call(x));
        TensorAssert.Close(x * 2.5, new Branches("b", Paths(), BranchMerge.Mean).call(x));
        TensorAssert.Close(cat(new[] { x * 2, x * 3 }, 2), new Branches("b", Paths(), BranchMerge.Concat).call(x));
        TensorAssert.Close(cat(new[] { x * 2, x * 3 }, 1), new Branches("b", Paths(), BranchMerge.Concat, axis: 1).call(x));
    }

    [Fact]
    public void An_empty_path_is_the_identity()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 4, 3);
        var block = new Branches("b", new[] { new LayerPath(), new LayerPath(new Scale(2), new Scale(3)) }, BranchMerge.Sum);

        TensorAssert.Close(x * 7, block.call(x));
        TensorAssert.Close(x, new Branches("b", new[] { new LayerPath() }, BranchMerge.Mean).call(x));
    }

    [Fact]
    public void Branches_of_different_shapes_name_the_block()
    {
        using var scope = NewDisposeScope();
        var block = new Branches("heads", new[] { new LayerPath(), new LayerPath(new Flatten("f")) }, BranchMerge.Sum);
        var error = Assert.Throws<ArgumentException>(() => block.call(randn(2, 4, 3)));
        Assert.Contains("'heads'", error.Message);
        Assert.Contains("(2, 4, 3) and (2, 12)", error.Message);
    }

    [Fact]
    public void Residual_adds_the_input_to_its_body()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 4, 3);
        TensorAssert.Close(x * 3, new Residual("r", new LayerPath(new Scale(2))).call(x));
        var error = Assert.Throws<ArgumentException>(() => new Residual("skip", new LayerPath(new Flatten("f"))).call(x));
        Assert.Contains("'skip'", error.Message);
    }

    [Fact]
    public void Decomposition_runs_the_trend_and_the_remainder_through_their_paths_and_sums_them()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var x = randn(2, 30, 1);
        var trend = new MovingAverage("ma", new MovingAverageOptions(5)).call(x);

        // Identity heads give back the series: trend + (series − trend).
        TensorAssert.Close(x, new SeriesDecomposition("d", new MovingAverageOptions(5), new LayerPath(), new LayerPath()).call(x));
        var block = new SeriesDecomposition("d", new MovingAverageOptions(5), new LayerPath(new Scale(2)), new LayerPath(new Scale(3)));
        TensorAssert.Close(trend * 2 + (x - trend) * 3, block.call(x));
        var (t, s) = block.Decompose(x);
        TensorAssert.Close(trend, t);
        TensorAssert.Close(x - trend, s);
    }

    [Fact]
    public void Blocks_pass_gradients_to_the_layers_of_their_paths()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var trendHead = new Dense("trend", 6, new DenseOptions(2));
        var seasonalHead = new Dense("seasonal", 6, new DenseOptions(2));
        var block = new SeriesDecomposition("d", new MovingAverageOptions(3), new LayerPath(new Flatten("f1"), trendHead), new LayerPath(new Flatten("f2"), seasonalHead));

        block.call(randn(4, 6, 1)).square().sum().backward();

        foreach (var head in new[] { trendHead, seasonalHead })
            Assert.True(head.Kernel.grad is { } grad && grad.abs().sum().item<float>() > 0, $"{head.GetName()} received no gradient");
    }

    /// <summary>An episodes batch (2 records, 3 steps, 2 step channels + 2 statics); record 1 has one real step, its padding zeros.</summary>
    private static Tensor EpisodesBatch() => tensor(new float[]
    {
        1, 2, 50, 1,   3, 4, 50, 1,   5, 6, 50, 1,
        7, 8, 70, 0,   0, 0, 0, 0,    0, 0, 0, 0,
    }).reshape(2, 3, 4);

    [Fact]
    public void Static_branch_split_takes_the_statics_from_step_0_and_leaves_the_step_channels()
    {
        using var scope = NewDisposeScope();
        var (steps, statics) = StaticBranch.Split(EpisodesBatch(), 2);

        TensorAssert.Close(EpisodesBatch().narrow(2, 0, 2), steps, atol: 0);
        // Record 1's padding steps hold zeros, not its statics: step 0 is the one every record has.
        TensorAssert.Close(tensor(new float[] { 50, 1, 70, 0 }).reshape(2, 2), statics, atol: 0);
        Assert.Throws<ArgumentException>(() => StaticBranch.Split(EpisodesBatch(), 4));
        Assert.Throws<ArgumentException>(() => StaticBranch.Split(zeros(2, 4), 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => StaticBranch.Split(EpisodesBatch(), 0));
    }

    [Fact]
    public void Static_branch_joins_its_layers_output_to_every_step_and_to_vectors()
    {
        using var scope = NewDisposeScope();
        var (steps, statics) = StaticBranch.Split(EpisodesBatch(), 2);

        // Empty path: the statics as they are, repeated at each step after the step's own channels.
        var joined = new StaticBranch("s", new LayerPath()).forward(steps, statics);
        TensorAssert.Shape(joined, 2, 3, 4);
        TensorAssert.Close(tensor(new float[] { 1, 2, 50, 1, 3, 4, 50, 1, 5, 6, 50, 1, 7, 8, 70, 0, 0, 0, 70, 0, 0, 0, 70, 0 }).reshape(2, 3, 4), joined, atol: 0);

        // Through a layer: scale(statics) beside a (batch, features) vector.
        var vectors = tensor(new float[] { 9, 8 }).reshape(2, 1);
        TensorAssert.Close(tensor(new float[] { 9, 100, 2, 8, 140, 0 }).reshape(2, 3), new StaticBranch("s", new LayerPath(new Scale(2))).forward(vectors, statics), atol: 0);
    }

    [Fact]
    public void Static_branch_passes_gradients_to_its_layers_and_refuses_to_run_without_statics()
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var dense = new Dense("statics_dense", 2, new DenseOptions(3) { Activation = Activation.Tanh });
        var block = new StaticBranch("s", new LayerPath(dense));
        var (steps, statics) = StaticBranch.Split(EpisodesBatch() / 10, 2);

        var output = block.forward(steps, statics);
        TensorAssert.Shape(output, 2, 3, 5);
        // Each step gets the same dense(statics) of its record.
        TensorAssert.Close(dense.call(statics).unsqueeze(1).expand(2, 3, 3), output.narrow(2, 2, 3));
        output.square().sum().backward();
        Assert.True(dense.Kernel.grad is { } grad && grad.abs().sum().item<float>() > 0, "the branch's dense layer received no gradient");

        var error = Assert.Throws<InvalidOperationException>(() => block.call(steps));
        Assert.Contains("Block 's' joins the records' statics", error.Message);
        var mismatch = Assert.Throws<ArgumentException>(() => block.forward(steps, statics.narrow(0, 0, 1)));
        Assert.Contains("of the same batch", mismatch.Message);
    }
}
