using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Model;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Generator.Parsing;

/// <summary>
/// Parsed experiment sections → typed <see cref="ExperimentSettings"/>, checking the settings against each
/// other as it binds: the keys a source allows, lookback against step, columns and target against the
/// source, splits against the window, a text task's loss. This is the only code that reads settings by
/// their key paths; analysis and emission read the typed records.
/// </summary>
internal sealed class ExperimentBinder
{
    private readonly string _path;
    private readonly SettingValues _values;
    private readonly SourceSpan _sectionSpan;
    private readonly List<DiagnosticInfo> _diagnostics;

    private ExperimentBinder(string path, SettingValues values, SourceSpan sectionSpan, List<DiagnosticInfo> diagnostics)
    {
        _path = path;
        _values = values;
        _sectionSpan = sectionSpan;
        _diagnostics = diagnostics;
    }

    /// <summary>
    /// The bound settings, or null after reporting why they cannot be. A problem of a section as a whole is
    /// reported at <paramref name="sectionSpan"/> (where the data or text section starts), one of the spec as a
    /// whole at <paramref name="modelSpan"/> (the model's name).
    /// </summary>
    public static ExperimentSettings? Bind(string path, SettingValues values, bool hasData, bool hasText, bool hasTraining,
        SourceSpan sectionSpan, SourceSpan modelSpan, List<DiagnosticInfo> diagnostics)
    {
        int before = diagnostics.Count;
        var binder = new ExperimentBinder(path, values, sectionSpan, diagnostics);
        if (hasTraining && !hasData && !hasText)
            binder.Report(SeqDiagnostics.MissingKey, modelSpan, "data", "the spec", "'training' needs a 'data' section that says what to train on");
        var data = hasData ? binder.BindData() : null;
        var text = hasText ? binder.BindText() : null;
        var training = binder.BindTraining(isText: hasText);
        var settings = new ExperimentSettings(data, text, training, binder.BindSampling(), binder.BindBaseline(), sectionSpan);
        return diagnostics.Count == before ? settings : null;
    }

    private DataSettings BindData()
    {
        var source = _values.Raw("data.source") switch
        {
            "synthetic-climate" => DataSourceKind.SyntheticClimate,
            "jena-climate" => DataSourceKind.JenaClimate,
            _ => DataSourceKind.Csv,
        };
        string sourceWord = _values.Raw("data.source")!;
        CheckSourceKeys(sourceWord);

        var window = new WindowSettings(Int("data.window.lookback"), Int("data.window.step"), Int("data.window.delay"), Int("data.window.batch_size"),
            Int("data.window.horizon"), _values.Bool("data.window.reverse"), _values.Bool("data.window.shuffle"));
        if (!WindowGeometry.IsWholeSteps(window.Lookback, window.Step))
            Report(SeqDiagnostics.ConflictingOptions, SpanOf("data.window.step"),
                $"'lookback' ({window.Lookback}) in 'data.window' must be a multiple of 'step' ({window.Step}): each window holds lookback / step time steps");

        EquatableArray<string>? columns = _values.Has("data.columns") ? _values.List("data.columns").ToEquatableArray() : null;
        var data = new DataSettings(source, _values.Raw("data.path"), _values.Raw("data.date_column"), _values.Raw("data.date_format"), _values.Raw("data.sha256"),
            columns, BindMissing(_values.Raw("data.missing")!), Int("data.rows"), _values.Raw("data.target")!, window,
            _values.Split("data.splits.train", _sectionSpan), _values.Split("data.splits.val", _sectionSpan), _values.Split("data.splits.test", _sectionSpan),
            _values.Bool("data.normalize"));

        CheckColumns(data);
        CheckSplits(data);
        return data;
    }

    private static MissingValuePolicy BindMissing(string word) => word switch
    {
        "drop" => MissingValuePolicy.Drop,
        "forward_fill" => MissingValuePolicy.ForwardFill,
        "interpolate" => MissingValuePolicy.Interpolate,
        _ => MissingValuePolicy.Error,
    };

    private void CheckSourceKeys(string source)
    {
        var only = new (string Key, string Source)[] { ("path", "csv"), ("date_column", "csv"), ("date_format", "csv"), ("sha256", "jena-climate"), ("rows", "synthetic-climate") };
        foreach (var (key, allowed) in only)
        {
            if (_values.Has("data." + key) && source != allowed)
                Report(SeqDiagnostics.ConflictingOptions, SpanOf("data." + key),
                    $"'{key}' in 'data' applies to the {allowed} source only; this spec's source is {source}");
        }
    }

    private void CheckColumns(DataSettings data)
    {
        if (data.Source != DataSourceKind.Csv && data.Columns is { } listed)
        {
            foreach (var column in listed.Where(c => !SpecCatalog.ClimateColumns.Contains(c)))
                Report(SeqDiagnostics.UnknownColumn, SpanOf("data.columns"), "columns", column, data.SourceName,
                    Suggest(column, SpecCatalog.ClimateColumns), string.Join(", ", SpecCatalog.ClimateColumns));
        }
        if (KnownColumns(data) is { } columns && !columns.Contains(data.Target))
            Report(SeqDiagnostics.UnknownColumn, SpanOf("data.target"), "target", data.Target, data.SourceName,
                Suggest(data.Target, columns), string.Join(", ", columns));
    }

    /// <summary>Columns a source is known to have at build time; null when only the file can tell (csv without 'columns').</summary>
    public static IReadOnlyList<string>? KnownColumns(DataSettings data)
        => data.Columns is { } listed ? listed : data.Source == DataSourceKind.Csv ? null : SpecCatalog.ClimateColumns;

    /// <summary>
    /// Splits must leave room for a window and must not share target rows (<see cref="WindowGeometry"/>, as the
    /// runtime cuts them). Input windows may reach back into the previous split (as the long-horizon protocols allow).
    /// </summary>
    private void CheckSplits(DataSettings data)
    {
        var window = data.Window;
        var geometry = new WindowGeometry(window.Lookback, window.Step, window.Delay, window.Horizon);
        var splits = new List<(string Name, long First, long? Last, SourceSpan Span, string Text)>();
        foreach (var (name, split) in new[] { ("train", data.Train), ("val", data.Validation), ("test", data.Test) })
        {
            if (split is null) continue;
            string text = $"[{split.Start}, {(split.End is long e ? e.ToString(System.Globalization.CultureInfo.InvariantCulture) : "end")}]";
            if (split.End is long end && !geometry.HasRoom(split.Start, end))
            {
                Report(SeqDiagnostics.InvalidSplits, split.Span, $"split '{name}' {text} has no room for a window: its rows start at min_index + lookback = {geometry.FirstRow(split.Start)}, which is not below max_index {end}");
                continue;
            }
            long first = geometry.FirstTarget(geometry.FirstRow(split.Start));
            long? last = split.End is long max ? geometry.LastTarget(max) : null;
            splits.Add((name, first, last, split.Span, text));
        }
        for (int i = 0; i < splits.Count; i++)
        {
            for (int j = i + 1; j < splits.Count; j++)
            {
                var (a, b) = splits[i].First <= splits[j].First ? (splits[i], splits[j]) : (splits[j], splits[i]);
                if (a.Last is null || a.Last >= b.First)
                {
                    string overlapEnd = a.Last is long l && (b.Last is null || l <= b.Last) ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) : b.Last?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "the end";
                    Report(SeqDiagnostics.InvalidSplits, splits[j].Span,
                        $"splits '{a.Name}' {a.Text} and '{b.Name}' {b.Text} overlap: both have targets at rows {b.First}–{overlapEnd} (a split's targets are rows min_index + lookback + delay up to max_index - 1 + delay + horizon - 1)");
                }
            }
        }
    }

    /// <summary>
    /// A text task feeds windows of maxlen characters and predicts the next character: its loss is
    /// categorical cross-entropy (the input's shape is checked against the model in analysis).
    /// </summary>
    private TextSettings BindText()
        => new(_values.Raw("text.corpus")!, _values.Bool("text.lowercase"), Int("text.maxlen"), Int("text.step"), Int("text.batch_size"),
            _values.Raw("text.encoding") == "indices" ? TextEncoding.Indices : TextEncoding.OneHot,
            _values.Number("text.validation_fraction"), _values.Bool("text.shuffle"));

    private TrainingSettings BindTraining(bool isText)
    {
        var kind = _values.Raw("training.optimizer") switch { "adam" => OptimizerKind.Adam, "sgd" => OptimizerKind.Sgd, _ => OptimizerKind.RmsProp };
        var optimizer = new OptimizerSettings(kind, _values.Number("training.optimizer.learning_rate"),
            OptionalNumber("training.optimizer.rho"), OptionalNumber("training.optimizer.momentum"), OptionalNumber("training.optimizer.epsilon"),
            OptionalNumber("training.optimizer.beta_1"), OptionalNumber("training.optimizer.beta_2"),
            _values.Raw("training.optimizer.nesterov") is { } nesterov ? nesterov == "true" : null);

        string lossWord = _values.Raw("training.loss")!;
        if (isText && _values.Has("training.loss") && lossWord != "categorical_crossentropy")
            Report(SeqDiagnostics.ConflictingOptions, SpanOf("training.loss"),
                $"'loss' in 'training' must be categorical_crossentropy for a text task (the target is the next character); received '{lossWord}'");
        var loss = isText ? LossKind.CategoricalCrossEntropy : lossWord switch
        {
            "mse" => LossKind.Mse,
            "huber" => LossKind.Huber,
            "categorical_crossentropy" => LossKind.CategoricalCrossEntropy,
            _ => LossKind.Mae,
        };

        return new TrainingSettings(optimizer, loss, Int("training.epochs"), Int("training.steps_per_epoch"),
            _values.Raw("training.validation_steps") is { } steps && steps != "all" ? Int("training.validation_steps") : null,
            Int("training.seed"),
            _values.Has("training.clip_norm") ? _values.Number("training.clip_norm") : null,
            _values.Has("training.early_stopping_patience") ? Int("training.early_stopping_patience") : null,
            _values.Number("training.learning_rate_decay"));
    }

    private SamplingSettings BindSampling()
        => new(_values.Numbers("sampling.temperatures").ToEquatableArray(), Int("sampling.length"), Int("sampling.every"));

    private BaselineSettings BindBaseline()
    {
        var kind = _values.Raw("baseline") switch { "seasonal_naive" => BaselineKind.SeasonalNaive, "none" => BaselineKind.None, _ => BaselineKind.Naive };
        // The runtime's record takes a season for every kind; the catalog's default stands where the kind has none.
        string season = _values.Raw("baseline.season") ?? SpecCatalog.FindByPath("baseline.season", _ => "seasonal_naive")!.Default!;
        return new BaselineSettings(kind, long.Parse(season, System.Globalization.CultureInfo.InvariantCulture));
    }

    private long Int(string path) => _values.Int(path);

    private double? OptionalNumber(string path) => _values.Raw(path) is null ? null : _values.Number(path);

    private SourceSpan SpanOf(string path) => _values.SpanOf(path, _sectionSpan);

    private static string Suggest(string value, IEnumerable<string> candidates)
        => Text.ClosestMatch(value, candidates) is { } guess ? $" Did you mean '{guess}'?" : "";

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceSpan span, params object[] args)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, _path, span, args));
}
