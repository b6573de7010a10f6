using SeqDsl.Runtime.Reporting;
using SeqDsl.Runtime.Training;
using Spectre.Console;

namespace SeqDsl.Runtime.Tests.Reporting;

public class ConsoleProgressTests
{
    private static (IAnsiConsole Console, StringWriter Output) RedirectedConsole()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.No,
            Ansi = AnsiSupport.No,
        });
        return (console, output);
    }

    private static string[] Lines(StringWriter output)
        => output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    [Fact]
    public void Redirected_output_gets_closing_lines_and_a_few_progress_lines_without_escape_codes()
    {
        var (console, output) = RedirectedConsole();
        var progress = new ConsoleProgress(console);
        var records = new[]
        {
            new EpochRecord(1, 0.31234, 0.29871, 0.29871, 0.14, 0.001, 48.21),
            new EpochRecord(2, 0.28712, 0.27024, 0.27024, 0.12, 0.0005, 47.96),
        };
        foreach (var record in records)
        {
            progress.EpochStarted(record.Epoch, 2, 500);
            for (int step = 1; step <= 500; step++)
                progress.StepCompleted(step, record.Loss);
            progress.ValidationStarted(120);
            progress.EpochCompleted(record);
        }

        string text = output.ToString();
        string[] lines = Lines(output);
        Assert.DoesNotContain('\u001b', text);
        Assert.True(lines.Length < 40, $"{lines.Length} lines:\n{text}");
        Assert.Contains("Epoch 1/2 - 48.2s - loss: 0.3123 - val_loss: 0.2987 - val_mae: 0.2987 - val_mse: 0.1400 - lr: 0.001", lines);
        Assert.Contains("Epoch 2/2 - 48.0s - loss: 0.2871 - val_loss: 0.2702 - val_mae: 0.2702 - val_mse: 0.1200 - lr: 0.0005", lines);
        Assert.Equal("Epoch 2/2 - 48.0s - loss: 0.2871 - val_loss: 0.2702 - val_mae: 0.2702 - val_mse: 0.1200 - lr: 0.0005", lines[^1]);
        // Nine progress lines (every tenth but the last) and one validation line per epoch.
        Assert.Equal(18, lines.Count(l => l.Contains(" loss ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith("Epoch 1/2  ", StringComparison.Ordinal) && l.Contains(" 250/500  loss 0.3123  ETA ", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => l.EndsWith("validating (120 steps)", StringComparison.Ordinal)));
    }

    [Fact]
    public void Progress_lines_show_the_reported_loss_and_a_bar()
    {
        var (console, output) = RedirectedConsole();
        var progress = new ConsoleProgress(console);
        progress.EpochStarted(3, 20, 10);
        for (int step = 1; step <= 5; step++)
            progress.StepCompleted(step, step * 0.6); // the trainer's running mean, shown as is

        string last = Lines(output)[^1];
        Assert.StartsWith("Epoch 3/20  ", last);
        Assert.Contains(" 5/10  loss 3.0000  ETA ", last);
        Assert.Contains("━━━━━━━━━━━━━━━───────────────", last); // half of the 30-cell bar
    }

    [Fact]
    public void A_closing_line_leaves_out_missing_validation_metrics()
    {
        var (console, output) = RedirectedConsole();
        var progress = new ConsoleProgress(console);
        progress.EpochStarted(1, 1, 3);
        progress.EpochCompleted(new EpochRecord(1, 1.5, null, null, null, 1e-5, 0.04));

        Assert.Equal("Epoch 1/1 - 0.0s - loss: 1.5000 - lr: 1e-05", Lines(output)[^1]);
    }

    [Fact]
    public void A_closing_line_shows_a_named_validation_metric_and_says_when_it_is_undefined()
    {
        var (console, output) = RedirectedConsole();
        var progress = new ConsoleProgress(console);
        progress.EpochStarted(1, 2, 3);
        progress.EpochCompleted(new EpochRecord(1, 0.5, 0.4, null, null, 0.001, 1.0) { ValMetric = 0.75, ValMetricName = "macro_auroc" });
        progress.EpochStarted(2, 2, 3);
        progress.EpochCompleted(new EpochRecord(2, 0.5, 0.4, null, null, 0.001, 1.0) { ValMetricName = "macro_auroc" });

        var lines = Lines(output);
        Assert.Equal("Epoch 2/2 - 1.0s - loss: 0.5000 - val_loss: 0.4000 - val_macro_auroc: undefined - lr: 0.001", lines[^1]);
        Assert.Contains("Epoch 1/2 - 1.0s - loss: 0.5000 - val_loss: 0.4000 - val_macro_auroc: 0.7500 - lr: 0.001", lines);
    }

    [Fact]
    public async Task Steps_may_come_from_another_thread()
    {
        var (console, output) = RedirectedConsole();
        using var progress = new ConsoleProgress(console);
        progress.EpochStarted(1, 1, 1000);
        await Task.Run(() =>
        {
            for (int step = 1; step <= 1000; step++)
                progress.StepCompleted(step, 0.5);
        });
        progress.EpochCompleted(new EpochRecord(1, 0.5, 0.4, 0.4, null, 0.001, 1.0));

        string[] lines = Lines(output);
        Assert.Equal(10, lines.Length);
        Assert.Equal("Epoch 1/1 - 1.0s - loss: 0.5000 - val_loss: 0.4000 - val_mae: 0.4000 - lr: 0.001", lines[^1]);
    }

    [Fact]
    public void The_live_display_runs_beside_training_and_ends_with_the_closing_line()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Yes,
        });
        using var progress = new ConsoleProgress(console, live: true);
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            progress.EpochStarted(epoch, 2, 200);
            for (int step = 1; step <= 200; step++)
                progress.StepCompleted(step, 0.5);
            progress.ValidationStarted(10);
            progress.EpochCompleted(new EpochRecord(epoch, 0.5, 0.4, 0.4, null, 0.001, 2.5));
        }

        // Frames are redrawn in place (carriage returns and cursor codes); each closing line follows the cleared bar.
        string text = output.ToString();
        Assert.Contains("\u001b[", text);
        Assert.Contains("Epoch 1/2 - 2.5s - loss: 0.5000 - val_loss: 0.4000 - val_mae: 0.4000 - lr: 0.001" + Environment.NewLine, text);
        Assert.EndsWith("Epoch 2/2 - 2.5s - loss: 0.5000 - val_loss: 0.4000 - val_mae: 0.4000 - lr: 0.001" + Environment.NewLine, text);
    }

    [Fact]
    public async Task Disposing_mid_epoch_takes_the_live_display_down()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(new StringWriter()),
            Interactive = InteractionSupport.Yes,
            Ansi = AnsiSupport.Yes,
        });
        var progress = new ConsoleProgress(console, live: true);
        progress.EpochStarted(1, 1, 100);
        progress.StepCompleted(1, 0.5);

        var dispose = Task.Run(progress.Dispose);
        Assert.Same(dispose, await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(5))));
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(41, "0:41")]
    [InlineData(754, "12:34")]
    [InlineData(3723, "1:02:03")]
    public void Durations_read_like_keras(int seconds, string expected)
        => Assert.Equal(expected, ConsoleProgress.Duration(TimeSpan.FromSeconds(seconds)));
}
