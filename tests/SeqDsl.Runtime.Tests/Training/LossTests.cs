using SeqDsl.Runtime.Training;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Tests.Training;

public class LossTests
{
    [Theory]
    [InlineData(LossKind.Mae, 1.0, 2.5 / 3)]
    [InlineData(LossKind.Mse, 1.0, 4.25 / 3)]
    [InlineData(LossKind.Huber, 1.0, (0.125 + 1.5) / 3)]   // ½·0.5², 0, 1·(2 − ½)
    [InlineData(LossKind.Huber, 2.0, (0.125 + 2.0) / 3)]   // |e| = 2 ≤ δ: ½·2²
    public void Losses_average_over_all_elements(LossKind kind, double delta, double expected)
    {
        using var scope = NewDisposeScope();
        var predictions = tensor(new[] { 1f, 2f, 3f }).reshape(3, 1);
        var targets = tensor(new[] { 1.5f, 2f, 5f }).reshape(3, 1);
        Assert.Equal(expected, Losses.Compute(kind, predictions, targets, delta).item<float>(), 6);
    }

    [Fact]
    public void Targets_of_shape_batch_are_reshaped_not_broadcast()
    {
        using var scope = NewDisposeScope();
        var predictions = tensor(new[] { 1f, 2f, 3f }).reshape(3, 1);
        var targets = tensor(new[] { 1.5f, 2f, 5f });   // (3): broadcasting against (3, 1) would compare all 9 pairs
        Assert.Equal(2.5 / 3, Losses.Compute(LossKind.Mae, predictions, targets).item<float>(), 6);
        Assert.Equal(2.5 / 3, Losses.Compute(LossKind.Mae, predictions, targets.to_type(ScalarType.Float64)).item<float>(), 6);
    }

    [Fact]
    public void Different_element_counts_name_both_shapes()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => Losses.Compute(LossKind.Mse, zeros(2, 3), zeros(4)));
        Assert.Contains("(2, 3)", error.Message);
        Assert.Contains("(4)", error.Message);
    }

    [Fact]
    public void Losses_are_differentiable()
    {
        using var scope = NewDisposeScope();
        var predictions = tensor(new[] { 1f, 3f }).reshape(2, 1).requires_grad_();
        Losses.Compute(LossKind.Mse, predictions, tensor(new[] { 0f, 0f }).reshape(2, 1)).backward();
        // d/dp mean(p²) = p (for two elements: 2p / 2).
        Assert.Equal(new[] { 1f, 3f }, predictions.grad!.data<float>().ToArray());
    }
}
