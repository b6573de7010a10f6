using System;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SeqDsl.Runtime.Training;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SeqDsl.Runtime.Reporting;

/// <summary>
/// Keras-style training output. On an interactive terminal each epoch shows a live bar
/// (<c>Epoch 3/20  ━━━━━━━╸━━━  312/500  loss 0.2871  ETA 0:41</c>) that is replaced by a closing line
/// (<c>Epoch 3/20 - 48.2s - loss: 0.2871 - val_loss: 0.2702 - val_mae: 0.2702 - lr: 0.001</c>).
/// When output is redirected (CI logs, files, tests) it writes plain text without ANSI codes: at most nine progress lines
/// per epoch (every tenth of the steps), one line when validation starts, and the closing line.
/// </summary>
/// <remarks>
/// <see cref="StepCompleted"/> may be called from the training thread while the live display redraws on its own thread.
/// Dispose it when training ends abnormally, so that a live bar does not stay on screen.
/// </remarks>
public sealed class ConsoleProgress : ITrainingProgress, IDisposable
{
    private const int BarWidth = 30;
    private const int LinesPerEpoch = 10;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private readonly IAnsiConsole _console;
    private readonly bool _live;
    private readonly bool _unicode;

    // The epoch's state, guarded by _gate: written by the training thread, read by the live display's refresh thread.
    private readonly object _gate = new();
    private readonly Stopwatch _clock = new();
    private int _epoch;
    private int _epochs;
    private int _steps;
    private int _done;
    private double? _loss;
    private bool _validating;
    private int _nextLine;
    private LiveEpoch? _liveEpoch;

    /// <summary>Reports to <paramref name="console"/>, by default <see cref="AnsiConsole.Console"/>.</summary>
    public ConsoleProgress(IAnsiConsole? console = null)
        : this(console ?? AnsiConsole.Console, live: null)
    {
    }

    /// <summary>Tests force the live display with <paramref name="live"/>, as they have no terminal.</summary>
    internal ConsoleProgress(IAnsiConsole console, bool? live)
    {
        _console = console;
        var capabilities = _console.Profile.Capabilities;
        // Redrawing needs cursor movement on a real terminal; a redirected stream would collect every frame.
        _live = live ?? (capabilities.Interactive && capabilities.Ansi && _console.Profile.Out.IsTerminal);
        _unicode = capabilities.Unicode;
    }

    /// <inheritdoc />
    public void EpochStarted(int epoch, int epochs, int steps)
    {
        EndLive();
        lock (_gate)
        {
            _epoch = epoch;
            _epochs = epochs;
            _steps = Math.Max(steps, 0);
            _done = 0;
            _loss = null;
            _validating = false;
            _nextLine = 1;
            _clock.Restart();
        }
        if (_live)
        {
            var live = LiveEpoch.TryStart(this, Math.Max(steps, 0));
            lock (_gate)
                _liveEpoch = live;
        }
    }

    /// <inheritdoc />
    public void StepCompleted(int step, double loss)
    {
        ProgressTask? bar;
        int done;
        lock (_gate)
        {
            _done = done = _steps > 0 ? Math.Clamp(step, 0, _steps) : Math.Max(step, 0);
            _loss = loss;
            bar = _liveEpoch?.Bar;
            if (bar is null && _steps > 0)
            {
                int tenth = (int)((long)done * LinesPerEpoch / _steps);
                // The last tenth is left to the closing line, which repeats the loss and adds the time.
                if (tenth >= _nextLine && tenth < LinesPerEpoch)
                {
                    _nextLine = tenth + 1;
                    WritePlain(ProgressLine());
                }
            }
        }
        if (bar is not null)
            bar.Value = done;
    }

    /// <inheritdoc />
    public void ValidationStarted(int steps)
    {
        ProgressTask? bar;
        lock (_gate)
        {
            _validating = true;
            bar = _liveEpoch?.Bar;
            if (bar is null)
                WritePlain(steps > 0 ? $"{EpochLabel(_epoch)}  validating ({steps} steps)" : $"{EpochLabel(_epoch)}  validating");
        }
        if (bar is not null)
            bar.Value = bar.MaxValue;
    }

    /// <inheritdoc />
    public void EpochCompleted(EpochRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        EndLive();
        lock (_gate)
        {
            _clock.Stop();
            WritePlain(ClosingLine(record));
        }
    }

    /// <summary>Takes down a live bar left by an epoch that never completed (training failed or was cancelled).</summary>
    public void Dispose() => EndLive();

    private void EndLive()
    {
        LiveEpoch? live;
        lock (_gate)
        {
            live = _liveEpoch;
            _liveEpoch = null;
        }
        // Outside the lock: the final redraw reads the state through the columns.
        live?.Finish();
    }

    private void WritePlain(string line)
    {
        // Straight to the writer: Spectre would wrap long lines at its idea of the width (80 for a redirected stream),
        // where a log or the terminal's own soft wrap keeps a closing line whole.
        var writer = _console.Profile.Out.Writer;
        writer.WriteLine(line);
        writer.Flush();
    }

    private string EpochLabel(int epoch) => _epochs > 0 ? $"Epoch {epoch}/{_epochs}" : $"Epoch {epoch}";

    private string ProgressLine() => $"{EpochLabel(_epoch)}  {Bar()}  {Count()}  {Loss()}  {Eta()}";

    private string ClosingLine(EpochRecord record)
    {
        var text = new StringBuilder(EpochLabel(record.Epoch));
        text.Append(" - ").Append(record.Seconds.ToString("F1", Invariant)).Append('s');
        text.Append(" - loss: ").Append(Metric(record.Loss));
        if (record.ValLoss is double valLoss)
            text.Append(" - val_loss: ").Append(Metric(valLoss));
        if (record.ValMae is double valMae)
            text.Append(" - val_mae: ").Append(Metric(valMae));
        if (record.ValMse is double valMse)
            text.Append(" - val_mse: ").Append(Metric(valMse));
        if (record.ValMetricName is string name)
            text.Append(" - val_").Append(name).Append(": ").Append(record.ValMetric is double valMetric ? Metric(valMetric) : "undefined");
        text.Append(" - lr: ").Append(record.LearningRate.ToString("G4", Invariant).Replace('E', 'e'));
        return text.ToString();
    }

    private static string Metric(double value) => value.ToString("F4", Invariant);

    private string Bar()
    {
        if (_steps <= 0)
            return "";
        double filled = (double)_done / _steps * BarWidth;
        int full = (int)filled;
        bool tip = full < BarWidth && filled - full >= 0.5;
        var bar = new StringBuilder(BarWidth);
        bar.Append(_unicode ? '━' : '=', full);
        if (tip)
            bar.Append(_unicode ? '╸' : '>');
        // Without colour the remainder needs its own glyph to be told apart from the done part.
        bar.Append(_unicode ? '─' : '.', BarWidth - full - (tip ? 1 : 0));
        return bar.ToString();
    }

    private string Count()
    {
        if (_steps <= 0)
            return _done.ToString(Invariant);
        string steps = _steps.ToString(Invariant);
        return _done.ToString(Invariant).PadLeft(steps.Length) + "/" + steps;
    }

    // The trainer reports the epoch's running mean, as Keras shows it, so no averaging here.
    private string Loss() => _loss is double loss ? "loss " + Metric(loss) : "loss -";

    private string Eta()
    {
        if (_validating)
            return "validating";
        if (_steps <= 0 || _done <= 0)
            return "ETA -:--";
        var remaining = TimeSpan.FromTicks((long)(_clock.Elapsed.Ticks / (double)_done * (_steps - _done)));
        return "ETA " + Duration(remaining);
    }

    /// <summary>m:ss, or h:mm:ss from an hour on, as Keras prints ETAs.</summary>
    internal static string Duration(TimeSpan span)
    {
        long seconds = (long)Math.Round(Math.Max(span.TotalSeconds, 0));
        return seconds >= 3600
            ? $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}"
            : $"{seconds / 60}:{seconds % 60:00}";
    }

    private string Locked(Func<string> text)
    {
        lock (_gate)
            return text();
    }

    /// <summary>One epoch's Spectre progress display, run on its own thread because <see cref="Progress.Start(Action{ProgressContext})"/> blocks.</summary>
    private sealed class LiveEpoch
    {
        private readonly ManualResetEventSlim _finish = new();
        private Task _rendering = Task.CompletedTask;

        /// <summary>The epoch's task in the display.</summary>
        public ProgressTask? Bar { get; private set; }

        /// <summary>Starts the display; null when Spectre refuses (e.g. another live display is running), so the epoch falls back to plain lines.</summary>
        public static LiveEpoch? TryStart(ConsoleProgress owner, int steps)
        {
            var live = new LiveEpoch();
            var ready = new TaskCompletionSource<ProgressTask>(TaskCreationOptions.RunContinuationsAsynchronously);
            var progress = owner._console.Progress()
                .AutoClear(true)
                .HideCompleted(false)
                .ExcludeVerticalPadding(true)
                .Columns(
                    new TextColumn(() => owner.Locked(() => owner.EpochLabel(owner._epoch))),
                    new ProgressBarColumn { Width = BarWidth },
                    // A leading space on top of the grid's one: the two-space gaps of the plain lines.
                    new TextColumn(() => " " + owner.Locked(owner.Count)),
                    new TextColumn(() => " " + owner.Locked(owner.Loss)),
                    new TextColumn(() => " " + owner.Locked(owner.Eta)));
            live._rendering = Task.Factory.StartNew(
                () => progress.Start(context =>
                {
                    var bar = context.AddTask("epoch", autoStart: true, maxValue: Math.Max(steps, 1));
                    bar.IsIndeterminate = steps <= 0;
                    ready.TrySetResult(bar);
                    live._finish.Wait();
                }),
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
            Task.WaitAny(ready.Task, live._rendering);
            if (!ready.Task.IsCompletedSuccessfully)
            {
                _ = live._rendering.Exception; // observed: the fallback is the answer to it
                live._finish.Dispose();
                return null;
            }
            live.Bar = ready.Task.Result;
            return live;
        }

        /// <summary>Ends the display (it clears itself) and waits for its final redraw.</summary>
        public void Finish()
        {
            _finish.Set();
            try
            {
                _rendering.Wait();
            }
            catch (AggregateException)
            {
                // A failed redraw must not fail training; the closing line still follows.
            }
            _finish.Dispose();
        }
    }

    /// <summary>A progress column showing text computed at each redraw.</summary>
    private sealed class TextColumn(Func<string> text) : ProgressColumn
    {
        protected override bool NoWrap => true;

        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) => new Spectre.Console.Text(text());
    }
}
