using SeqDsl.Runtime;
using TorchSharp;

namespace SeqDsl.Examples.Weather;

/// <summary>Builds every weather model of the lecture from its spec, prints its summary and runs one batch through it.</summary>
public static class WeatherProgram
{
    public static void Run(string[] args)
    {
        torch.manual_seed(42);
        torch.nn.Module<torch.Tensor, torch.Tensor>[] models =
        {
            new WeatherMlpModel(), new WeatherGruModel(), new WeatherGruDropoutModel(), new WeatherStackedGruModel(),
            new WeatherBidirectionalGruModel(), new WeatherConv1DModel(), new WeatherConv1DGruModel(),
        };
        foreach (var model in models)
        {
            using var scope = torch.NewDisposeScope();
            Console.WriteLine(((dynamic)model).Summary());
            model.eval();
            using var batch = torch.randn(4, 240, 14);
            var output = model.forward(batch);
            Console.WriteLine($"forward (4, 240, 14) -> ({string.Join(", ", output.shape)}); parameters held: {ModelSummary.CountParameters(model):N0}");
            Console.WriteLine();
        }
    }
}
