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
/// other as it binds: lookback against step, columns and target against the
/// source, splits against the window, a text task's loss. This is the only code that reads settings by
/// their key paths; analysis and emission read the typed records.
/// </summary>
internal sealed class ExperimentBinder
{
    private readonly string _path;
    private readonly SettingValues _values;
    private readonly SourceSpan _sectionSpan;
    private readonly List<DiagnosticInfo> _diagnostics;
    private readonly IReadOnlyList<CsvHeader> _csvHeaders;

    private ExperimentBinder(string path, SettingValues values, SourceSpan sectionSpan, List<DiagnosticInfo> diagnostics, IReadOnlyList<CsvHeader> csvHeaders)
    {
        _path = path;
        _values = values;
        _sectionSpan = sectionSpan;
        _diagnostics = diagnostics;
        _csvHeaders = csvHeaders;
    }

    /// <summary>
    /// The bound settings, or null after reporting why they cannot be. A problem of a section as a whole is
    /// reported at <paramref name="sectionSpan"/> (where the data or text section starts). <paramref name="csvHeaders"/> are
    /// the first lines of the CSV files the build could read (none: no header check).
    /// </summary>
    public static ExperimentSettings? Bind(string path, SettingValues values, bool hasData, bool hasText, bool hasEpisodes,
        SourceSpan sectionSpan, List<DiagnosticInfo> diagnostics, IReadOnlyList<CsvHeader>? csvHeaders = null)
    {
        int before = diagnostics.Count;
        var binder = new ExperimentBinder(path, values, sectionSpan, diagnostics, csvHeaders ?? System.Array.Empty<CsvHeader>());
        var data = hasData ? binder.BindData() : null;
        var text = hasText ? binder.BindText() : null;
        var episodes = hasEpisodes ? binder.BindEpisodes() : null;
        var training = binder.BindTraining(isText: hasText);
        var fileKeys = binder.FileKeys();
        var settings = new ExperimentSettings(data, text, training, binder.BindSampling(), binder.BindBaseline(), sectionSpan)
        {
            Episodes = episodes,
            FileKeys = fileKeys,
            SpecDirectory = fileKeys.Count > 0 && System.IO.Path.GetDirectoryName(path) is { Length: > 0 } folder ? folder : null,
        };
        return diagnostics.Count == before ? settings : null;
    }

    /// <summary>
    /// The training settings alone, bound and checked as <see cref="Bind"/> binds them: a sweep run's, from the spec's values
    /// with the run's in their place (at the sweep values' positions, so a conflict is reported there). Null after reporting.
    /// </summary>
    public static TrainingSettings? BindRunTraining(string path, SettingValues values, bool isText, SourceSpan sectionSpan, List<DiagnosticInfo> diagnostics)
    {
        int before = diagnostics.Count;
        var training = new ExperimentBinder(path, values, sectionSpan, diagnostics, System.Array.Empty<CsvHeader>()).BindTraining(isText);
        return diagnostics.Count == before ? training : null;
    }

    /// <summary>Keys that may name a file by a path, which the runtime resolves against the spec's folder.</summary>
    private static readonly string[] s_fileKeys = { "data.path", "text.corpus", "episodes.path", "episodes.outcomes", "episodes.splits.test_path", "episodes.splits.test_outcomes" };

    /// <summary>The keys of this spec that name a file, with their lines (text.corpus only when it is a path, not a word).</summary>
    private EquatableArray<FileKey> FileKeys()
        => s_fileKeys
            .Where(key => _values.Find(key) is { } value && !(key == "text.corpus" && value.Value is PublicDataSets.EmbeddedCorpus or PublicDataSets.NietzscheCorpus))
            .Select(key => new FileKey(key, _values.Find(key)!.Span.DisplayLine))
            .ToEquatableArray();

    /// <summary>The labels of an episodes section, scored and auxiliary: the number 'units: labels' stands for.</summary>
    public static int LabelCount(SettingValues values) => values.Entries("episodes.labels").Count + values.Entries("episodes.auxiliary").Count;

    private DataSettings BindData()
    {
        var source = _values.Raw("data.source") switch
        {
            "synthetic-climate" => DataSourceKind.SyntheticClimate,
            "jena-climate" => DataSourceKind.JenaClimate,
            "ett" => DataSourceKind.Ett,
            _ => DataSourceKind.Csv,
        };
        // Keys of one source given with another, and 'url' with 'path', are catalog conflicts (SpecCatalog.Conflicts).
        CheckDownloadKeys("data", "'path'");

        var window = new WindowSettings(Int("data.window.lookback"), Int("data.window.step"), Int("data.window.delay"), Int("data.window.batch_size"),
            Int("data.window.horizon"), _values.Bool("data.window.reverse"), _values.Bool("data.window.shuffle"));
        if (!WindowGeometry.IsWholeSteps(window.Lookback, window.Step))
            Report(SeqDiagnostics.ConflictingOptions, SpanOf("data.window.step"),
                $"'lookback' ({window.Lookback}) in 'data.window' must be a multiple of 'step' ({window.Step}): each window holds lookback / step time steps");

        EquatableArray<string>? columns = _values.Has("data.columns") ? _values.List("data.columns").ToEquatableArray() : null;
        bool byTargets = _values.Raw("data.splits.by") == "targets";
        var data = new DataSettings(source, _values.Raw("data.path"), _values.Raw("data.date_column"), _values.Raw("data.date_format"), _values.Raw("data.sha256"),
            columns, BindMissing(_values.Raw("data.missing")!), Int("data.rows"), EquatableArray<string>.Empty, window,
            BindSplit("train", window, byTargets), BindSplit("val", window, byTargets), BindSplit("test", window, byTargets),
            _values.Bool("data.normalize"))
        {
            Url = _values.Raw("data.url"),
            Series = _values.Raw("data.series")!,
        };

        CheckColumns(data);
        data = data with { Targets = BindTargets(data) };
        CheckCsvHeader(data);
        CheckSplits(data);
        return data;
    }

    /// <summary>A split as window rows; one stated by target rows ('by: targets') is converted by <see cref="WindowGeometry.WindowRowsForTargets"/>.</summary>
    private SplitRange? BindSplit(string name, WindowSettings window, bool byTargets)
    {
        var split = _values.Split("data.splits." + name, _sectionSpan);
        if (split is null || !byTargets) return split;
        var (minIndex, maxIndex) = window.Geometry.WindowRowsForTargets(split.Start, split.End);
        return new SplitRange(minIndex, maxIndex, split.Span) { Targets = "targets " + split.Text };
    }

    private static MissingValuePolicy BindMissing(string word) => word switch
    {
        "drop" => MissingValuePolicy.Drop,
        "forward_fill" => MissingValuePolicy.ForwardFill,
        "interpolate" => MissingValuePolicy.Interpolate,
        _ => MissingValuePolicy.Error,
    };

    /// <summary>A 'url' is an absolute http(s) or file URL that ends in a file name (a 'sha256' is any text: a wrong one fails the download naming both hashes).</summary>
    private void CheckDownloadKeys(string section, string instead)
    {
        if (_values.Raw(section + ".url") is { } url
            && !(System.Uri.TryCreate(url, System.UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "file"
                 && uri.AbsolutePath.Length > 1 && !uri.AbsolutePath.EndsWith("/", System.StringComparison.Ordinal)))
            Report(SeqDiagnostics.WrongType, SpanOf(section + ".url"), "url", $"'{section}'",
                $"an absolute http(s) or file URL of a file, such as 'https://example.org/data/series.csv' (or {instead} for a local file)", $"'{url}'");
    }

    /// <summary>
    /// A CSV the build could read (its first line came with the build, see <see cref="CsvHeader"/>) must have the columns
    /// the spec names: 'date_column', each of 'columns', and each 'target' when no 'columns' are listed (otherwise the target
    /// is one of them, which <see cref="CheckColumns"/> checks). A file the build could not read is not checked.
    /// </summary>
    private void CheckCsvHeader(DataSettings data)
    {
        if (data.Source != DataSourceKind.Csv || data.Path is not { } path) return;
        var header = _csvHeaders.FirstOrDefault(h => h.Value == path && h.IsFor(_path));
        if (header is null) return;
        var columns = CsvHeaderLine.Cells(header.Header);
        string file = System.IO.Path.GetFileName(header.File);
        void Check(string key, string column)
        {
            if (!columns.Contains(column))
                Report(SeqDiagnostics.UnknownColumn, SpanOf("data." + key), key, "'data'", column, $"a column of {file} ({header.File}, line 1)",
                    Suggest(column, columns), string.Join(", ", columns));
        }
        if (data.DateColumn is { } dateColumn) Check("date_column", dateColumn);
        if (data.Columns is { } listed)
            foreach (var column in listed) Check("columns", column);
        else
            foreach (var target in data.Targets) Check("target", target);
    }

    private void CheckColumns(DataSettings data)
    {
        if (SourceColumns(data.Source) is { } sourceColumns && data.Columns is { } listed)
        {
            foreach (var column in listed.Where(c => !sourceColumns.Contains(c)))
                Report(SeqDiagnostics.UnknownColumn, SpanOf("data.columns"), "columns", "'data'", column, "a column of " + data.SourceName,
                    Suggest(column, sourceColumns), string.Join(", ", sourceColumns));
        }
    }

    /// <summary>
    /// The target columns in order: the names given, each a column of the source and none twice, or every column for
    /// 'all' (which needs the columns to be known at build time).
    /// </summary>
    private EquatableArray<string> BindTargets(DataSettings data)
    {
        var known = KnownColumns(data);
        var span = SpanOf("data.target");
        if (_values.Columns("data.target") is not { } targets)
        {
            if (known is null)
                Report(SeqDiagnostics.MissingKey, span, "columns", "'data'", "'target: all' predicts every column, so list the csv's numeric columns under 'data'");
            return (known ?? System.Array.Empty<string>()).ToEquatableArray();
        }
        foreach (var target in targets.Distinct())
        {
            if (known is not null && !known.Contains(target))
                Report(SeqDiagnostics.UnknownColumn, span, "target", "'data'", target, "a column of " + data.SourceName,
                    Suggest(target, known), string.Join(", ", known));
            else if (targets.Count(t => t == target) > 1)
                Report(SeqDiagnostics.ConflictingOptions, span, $"'target' in 'data' names the column '{target}' twice; each target is one channel of the forecast");
        }
        return targets.ToEquatableArray();
    }

    /// <summary>The value columns of a built-in or named source; null for a csv, whose file tells.</summary>
    private static IReadOnlyList<string>? SourceColumns(DataSourceKind source) => source switch
    {
        DataSourceKind.Csv => null,
        DataSourceKind.Ett => PublicDataSets.EttColumns,
        _ => SpecCatalog.ClimateColumns,
    };

    /// <summary>Columns a source is known to have at build time; null when only the file can tell (csv without 'columns').</summary>
    public static IReadOnlyList<string>? KnownColumns(DataSettings data) => data.Columns is { } listed ? listed : SourceColumns(data.Source);

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
            string text = split.Text;
            if (split.End is long end && !geometry.HasRoom(split.Start, end))
            {
                Report(SeqDiagnostics.InvalidSplits, split.Span, split.Targets is null
                    ? $"split '{name}' {text} has no room for a window: its rows start at min_index + lookback = {geometry.FirstRow(split.Start)}, which is not below max_index {end}"
                    : $"split '{name}' {text} has no room for a window: its first window predicts rows {geometry.FirstTarget(geometry.FirstRow(split.Start))}–{geometry.LastTarget(geometry.FirstRow(split.Start) + 1)} (lookback {window.Lookback}, delay {window.Delay}, horizon {window.Horizon}), past the split's last target row");
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
    {
        // 'url' with 'corpus', and 'sha256' without a download, are catalog conflicts (SpecCatalog.Conflicts).
        CheckDownloadKeys("text", "'corpus'");
        return new(_values.Raw("text.corpus")!, _values.Bool("text.lowercase"), Int("text.maxlen"), Int("text.step"), Int("text.batch_size"),
            _values.Raw("text.encoding") == "indices" ? TextEncoding.Indices : TextEncoding.OneHot,
            _values.Number("text.validation_fraction"), _values.Bool("text.shuffle"))
        {
            Url = _values.Raw("text.url"),
            Sha256 = _values.Raw("text.sha256"),
        };
    }

    // ---- episodes ----------------------------------------------------------------------------------

    private EpisodesSettings BindEpisodes()
    {
        string sourceWord = _values.Raw("episodes.source")!;
        var source = sourceWord switch
        {
            "physionet-2012" => EpisodeSourceKind.PhysioNet2012,
            "long-csv" => EpisodeSourceKind.LongCsv,
            _ => EpisodeSourceKind.SyntheticIcu,
        };

        LongCsvSettings? longCsv = null;
        if (source == EpisodeSourceKind.LongCsv)
        {
            longCsv = new LongCsvSettings(_values.Raw("episodes.columns.record")!, _values.Raw("episodes.columns.time")!,
                _values.Raw("episodes.columns.variable")!, _values.Raw("episodes.columns.value")!,
                _values.List("episodes.variables").ToEquatableArray(), _values.List("episodes.statics").ToEquatableArray(),
                OptionalNumber("episodes.missing_sentinel"));
        }

        var labels = _values.Entries("episodes.labels").Select(e => BindLabel(e, auxiliary: false))
            .Concat(_values.Entries("episodes.auxiliary").Select(e => BindLabel(e, auxiliary: true)))
            .ToEquatableArray();

        var preprocessing = new EpisodePreprocessingSettings(
            _values.Number("episodes.preprocessing.interval_minutes"),
            Pascal<StepAggregate>("episodes.preprocessing.aggregate"),
            OptionalNumber("episodes.preprocessing.horizon_hours"),
            _values.Has("episodes.preprocessing.max_steps") ? Int("episodes.preprocessing.max_steps") : null,
            _values.Raw("episodes.preprocessing.imputation") == "median" ? Imputation.Median : Imputation.ForwardFillThenMedian,
            OptionalNumber("episodes.preprocessing.clip_quantile"),
            _values.Bool("episodes.preprocessing.missing_indicators"),
            _values.Bool("episodes.preprocessing.time_since_observed"),
            Pascal<Scaling>("episodes.preprocessing.scaling"),
            _values.Bool("episodes.preprocessing.static_inputs"),
            _values.Has("episodes.preprocessing.include") ? _values.List("episodes.preprocessing.include").ToEquatableArray() : null,
            _values.List("episodes.preprocessing.exclude").ToEquatableArray(),
            Pascal<EmptyEpisodePolicy>("episodes.preprocessing.empty_episodes"));

        var representation = Pascal<EpisodeRepresentation>("episodes.representation");
        // The steps of first_last: the variant's default stands when another representation is chosen.
        string steps = _values.Raw("episodes.representation.steps") ?? SpecCatalog.FindByPath("episodes.representation.steps", _ => "first_last")!.Default!;

        var episodes = new EpisodesSettings(source, _values.Raw("episodes.path"), _values.Raw("episodes.outcomes"),
            Int("episodes.records"), Int("episodes.seed"), longCsv, Pascal<UnknownVariablePolicy>("episodes.unknown_variables"),
            labels, preprocessing, representation, long.Parse(steps, System.Globalization.CultureInfo.InvariantCulture),
            _values.Has("episodes.splits.test_path") ? 1 - _values.Number("episodes.splits.val") : _values.Number("episodes.splits.train"),
            _values.Number("episodes.splits.val"), Int("episodes.splits.seed"),
            _values.Raw("episodes.splits.test_path"), _values.Raw("episodes.splits.test_outcomes"),
            Int("episodes.batch_size"), _values.Number("episodes.target_replication"), _values.Number("episodes.auxiliary_weight"),
            Pascal<PositiveWeighting>("episodes.positive_weight"),
            _values.Raw("episodes.monitor") switch
            {
                "val_micro_auroc" => EpisodeMonitor.MicroAuroc,
                "val_first_auroc" => EpisodeMonitor.FirstLabelAuroc,
                "val_loss" => EpisodeMonitor.Loss,
                _ => EpisodeMonitor.MacroAuroc,
            },
            Int("episodes.precision_at"),
            Pascal<EpisodeSummaryBaseline>("episodes.summary_baseline"),
            _values.List("episodes.ensemble_with").ToEquatableArray());

        CheckLabels(episodes);
        CheckVariableNames(episodes);
        CheckEpisodeSplits();
        if (episodes.TargetReplication > 0 && representation != EpisodeRepresentation.Sequence)
            Report(SeqDiagnostics.ConflictingOptions, SpanOf("episodes.target_replication"),
                $"'target_replication' ({Text.FormatDouble(episodes.TargetReplication)}) in 'episodes' scores every step of a record, so it needs 'representation: sequence'; this spec's representation is {_values.Raw("episodes.representation")}");
        return episodes;
    }

    /// <summary>One label entry: its name (the entry's key) and how its column becomes 0 or 1.</summary>
    private LabelSettings BindLabel(OptionValue entry, bool auxiliary)
    {
        string at = entry.Key;
        var rules = new[] { ("below", LabelRule.Below), ("at_least", LabelRule.AtLeast), ("in", LabelRule.In) }.Where(r => _values.Has(at + "." + r.Item1)).ToList();
        if (rules.Count > 1)
            Report(SeqDiagnostics.ConflictingOptions, SpanOf(at + "." + rules[1].Item1),
                $"label '{entry.Value}' gives both '{rules[0].Item1}' and '{rules[1].Item1}': a label has one rule (below, at_least or in), or none when its column already holds 0 or 1");
        var rule = rules.Count == 0 ? LabelRule.AsIs : rules[0].Item2;
        double threshold = rule is LabelRule.Below or LabelRule.AtLeast ? _values.Number(at + "." + rules[0].Item1) : 0;
        return new LabelSettings(entry.Value, _values.Raw(at + ".column") ?? "", rule, threshold, _values.Numbers(at + ".in").ToEquatableArray(),
            auxiliary, _values.Has(at + ".missing_as") ? Int(at + ".missing_as") : null, entry.Span);
    }

    /// <summary>Label names are unique; a label's column is an outcome or static of a source that lists them; a label never comes from an input that 'include' asks for.</summary>
    private void CheckLabels(EpisodesSettings episodes)
    {
        var seen = new Dictionary<string, LabelSettings>(System.StringComparer.Ordinal);
        foreach (var label in episodes.Labels)
        {
            if (seen.TryGetValue(label.Name, out var first))
                Report(SeqDiagnostics.DuplicateLabelName, label.Span, label.Name, $"line {first.Span.DisplayLine}");
            else
                seen[label.Name] = label;
        }
        var statics = episodes.SourceStatics;
        if (episodes.SourceOutcomes is { } outcomes)
        {
            var known = outcomes.Concat(statics).Distinct().ToList();
            foreach (var label in episodes.Labels.Where(l => !known.Contains(l.Column)))
                Report(SeqDiagnostics.UnknownColumn, SpanOf(LabelPath(label) + ".column"), "column", $"label '{label.Name}'", label.Column,
                    $"an outcome or static of {episodes.SourceName}", Suggest(label.Column, known), string.Join(", ", known));
        }
        var preprocessing = episodes.Preprocessing;
        if (preprocessing.Include is not { } include) return;
        foreach (var label in episodes.Labels)
        {
            bool isInput = episodes.SourceVariables.Contains(label.Column) || preprocessing.StaticInputs && statics.Contains(label.Column);
            if (isInput && include.Contains(label.Column))
                Report(SeqDiagnostics.LabelIsInput, SpanOf("episodes.preprocessing.include"), label.Name, label.Column);
        }
    }

    private string LabelPath(LabelSettings label)
    {
        foreach (var list in new[] { "episodes.labels", "episodes.auxiliary" })
            foreach (var entry in _values.Entries(list))
                if (entry.Span == label.Span) return entry.Key;
        return "episodes.labels";
    }

    /// <summary>'include' and 'exclude' name variables or statics of the source.</summary>
    private void CheckVariableNames(EpisodesSettings episodes)
    {
        var known = episodes.SourceVariables.Concat(episodes.SourceStatics).Distinct().ToList();
        foreach (var key in new[] { "include", "exclude" })
        {
            string path = "episodes.preprocessing." + key;
            foreach (var name in _values.List(path).Where(n => !known.Contains(n)))
                Report(SeqDiagnostics.UnknownColumn, SpanOf(path), key, "'episodes.preprocessing'", name,
                    $"a variable or static of {episodes.SourceName}", Suggest(name, known), string.Join(", ", known));
        }
    }

    /// <summary>Fractions as the runtime's EpisodeSplit takes them: training and validation within 1; with a test set of its own, validation only.</summary>
    private void CheckEpisodeSplits()
    {
        double val = _values.Number("episodes.splits.val");
        if (_values.Has("episodes.splits.test_path"))
        {
            if (_values.Has("episodes.splits.train"))
                Report(SeqDiagnostics.InvalidSplits, SpanOf("episodes.splits.train"),
                    $"with 'test_path' the records of 'path' are split into training and validation only: leave 'train' out (training takes 1 - val = {Text.FormatDouble(1 - val)})");
            return;
        }
        double train = _values.Number("episodes.splits.train");
        if (train + val > 1 + 1e-12)
            Report(SeqDiagnostics.InvalidSplits, SpanOf(_values.Has("episodes.splits.val") ? "episodes.splits.val" : "episodes.splits.train"),
                $"splits 'train' ({Text.FormatDouble(train)}) and 'val' ({Text.FormatDouble(val)}) in 'episodes' add up to more than 1; the test split takes the records left over");
    }

    /// <summary>A choice as the enum whose members are its words in PascalCase (min_max → MinMax).</summary>
    private TEnum Pascal<TEnum>(string path) where TEnum : struct
        => System.Enum.TryParse<TEnum>(Text.ToPascalCase(_values.Raw(path)!), out var value)
            ? value
            : throw new System.InvalidOperationException($"'{_values.Raw(path)}' is not a {typeof(TEnum).Name}");

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
