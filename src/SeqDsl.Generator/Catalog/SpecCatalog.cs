using System.Collections.Generic;
using System.Linq;
using SeqDsl.Generator.Layers;
using SeqDsl.Runtime.Data;

namespace SeqDsl.Generator.Catalog;

internal enum OptionType
{
    Integer,
    Number,
    Boolean,
    Choice,
    Identifier,
    Text,
    /// <summary>A nested layer (bidirectional's 'layer'), or a section parsed by hand (input, layers).</summary>
    Layer,
    /// <summary>A list of strings, e.g. CSV columns.</summary>
    TextList,
    /// <summary>Columns: one name, a list of names, or the plain word 'all' (every column; a column named 'all' is written quoted).</summary>
    Columns,
    /// <summary>A list of numbers, e.g. sampling temperatures.</summary>
    NumberList,
    /// <summary>A [start, end] pair of row indices; end may be the word 'end'.</summary>
    Split,
    /// <summary>An integer, or the word 'all'.</summary>
    IntegerOrAll,
    /// <summary>A nested mapping whose keys are <see cref="OptionDef.Children"/>.</summary>
    Section,
    /// <summary>One of <see cref="OptionDef.Variants"/>: either its name alone or a mapping { name: { options } } (or { name: value } when the variant has one option).</summary>
    Variant,
    /// <summary>A list of single-key mappings '- name: { options }' (an episodes task's labels), each entry's options being <see cref="OptionDef.Children"/>.</summary>
    EntryList,
    /// <summary>A list of layers inside a block (a residual's body, a decomposition's heads); empty is the identity.</summary>
    LayerList,
    /// <summary>A list of lists of layers (a branches block's paths).</summary>
    LayerLists,
    /// <summary>A sweep's values: a mapping from a key path (<see cref="SpecCatalog.SweepKeyPattern"/>) to a list of at least one scalar.</summary>
    SweepValues,
}

/// <summary>One form of a variant option, e.g. the 'adam' optimizer with its own keys.</summary>
internal sealed class VariantDef
{
    public VariantDef(string name, string description, params OptionDef[] options)
    {
        Name = name;
        Description = description;
        Options = options;
    }

    public string Name { get; }
    public string Description { get; }
    public IReadOnlyList<OptionDef> Options { get; }
}

/// <summary>One key a layer or section accepts: the single source for parsing, validation and the JSON Schema.</summary>
internal sealed class OptionDef
{
    public OptionDef(string name, OptionType type, string description)
    {
        Name = name;
        Type = type;
        Description = description;
    }

    public string Name { get; }
    public OptionType Type { get; }
    public string Description { get; }
    public bool Required { get; init; }
    /// <summary>The default, as YAML text (null: none; "null" for an explicit null default).</summary>
    public string? Default { get; init; }
    public double? Minimum { get; init; }
    public bool MinimumExclusive { get; init; }
    public double? Maximum { get; init; }
    public bool MaximumExclusive { get; init; }
    public bool Nullable { get; init; }
    public IReadOnlyList<string> Choices { get; init; } = System.Array.Empty<string>();
    public IReadOnlyList<OptionDef> Children { get; init; } = System.Array.Empty<OptionDef>();
    public IReadOnlyList<VariantDef> Variants { get; init; } = System.Array.Empty<VariantDef>();
    /// <summary>For a choice that generated code passes on: the runtime enum (in SeqDsl.Runtime.Layers) whose members are the choices in PascalCase.</summary>
    public string? RuntimeEnum { get; init; }
    /// <summary>An integer that may also be the word 'vocab': the vocabulary size of a text task, known only from its corpus.</summary>
    public bool AllowsVocab { get; init; }
    /// <summary>An integer that may also be the word 'labels' (<see cref="Model.NamedSizes.LabelsWord"/>): an episodes task's label count, which the spec itself fixes.</summary>
    public bool AllowsLabels { get; init; }

    /// <summary>"an integer > 0", "a number in [0, 1)", …: what the message says was expected.</summary>
    public string RangeText
    {
        get
        {
            if (Minimum is double min && Maximum is double max)
                return $"in {(MinimumExclusive ? "(" : "[")}{Helpers.Text.FormatDouble(min)}, {Helpers.Text.FormatDouble(max)}{(MaximumExclusive ? ")" : "]")}";
            if (Minimum is double lo) return (MinimumExclusive ? "> " : ">= ") + Helpers.Text.FormatDouble(lo);
            if (Maximum is double hi) return (MaximumExclusive ? "< " : "<= ") + Helpers.Text.FormatDouble(hi);
            return "";
        }
    }

    public string TypeText => Type switch
    {
        OptionType.Integer => (Nullable ? "an integer or null" : "an integer") + (AllowsVocab ? " (or 'vocab' in a text task" + (AllowsLabels ? ", 'labels' in an episodes task)" : ")") : ""),
        OptionType.NumberList => "a list of numbers" + (RangeText.Length > 0 ? $" (each {RangeText})" : ""),
        OptionType.Number => "a number",
        OptionType.Boolean => "true or false",
        OptionType.Choice => "one of " + string.Join(", ", Choices),
        OptionType.Identifier => "a name of letters, digits and '_' that starts with a letter",
        OptionType.Text => "a string",
        OptionType.Layer => "a recurrent layer mapping such as '{ gru: { units: 32 } }'",
        OptionType.TextList => "a list of strings such as [a, b]",
        OptionType.Columns => "a column name, a list of column names such as [a, b], or all",
        OptionType.Split => "a pair [start, end] of row indices (end may be 'end')",
        OptionType.IntegerOrAll => "an integer or 'all'",
        OptionType.Section => "a mapping",
        OptionType.Variant => "one of " + string.Join(", ", Variants.Select(v => v.Name)) + ", alone or with options as '{ " + (Variants.Count > 0 ? Variants[0].Name : "name") + ": { … } }'",
        OptionType.EntryList => "a list of one-key mappings such as '- in_hospital_death: { column: In-hospital_death }'",
        OptionType.LayerList => "a list of layers such as '[ flatten, { dense: { units: 96 } } ]' (empty: the identity)",
        OptionType.LayerLists => "a list of at least two lists of layers such as '[ [ flatten, { dense: { units: 96 } } ], [] ]'",
        OptionType.SweepValues => "a mapping from key paths such as 'layers.gru_1.units' or 'training.optimizer.learning_rate' to lists of values such as [16, 32]",
        _ => Type.ToString(),
    };
}

/// <summary>
/// What the spec language accepts. The parser validates against it and the JSON Schema in schemas/ is
/// generated from it (a test fails when the checked-in schema drifts), so the two cannot disagree.
/// </summary>
internal static class SpecCatalog
{
    /// <summary>Every layer kind; each is one <see cref="LayerDef"/> subclass in Layers/ with its options, inference and construction.</summary>
    public static readonly IReadOnlyList<LayerDef> Layers = new LayerDef[]
    {
        new DenseLayer(),
        new FlattenLayer(),
        new DropoutLayer(),
        RecurrentLayer.Gru,
        RecurrentLayer.Lstm,
        RecurrentLayer.SimpleRnn,
        new GruDLayer(),
        new BidirectionalLayer(),
        new Conv1DLayer(),
        PoolingLayer.Max,
        PoolingLayer.Average,
        GlobalPoolingLayer.Max,
        GlobalPoolingLayer.Average,
        new EmbeddingLayer(),
        new MovingAverageLayer(),
        new BranchesLayer(),
        new ResidualLayer(),
        new DecompositionLayer(),
        new StaticBranchLayer(),
    };

    public static LayerDef? FindLayer(string kind) => Layers.FirstOrDefault(l => l.Kind == kind);

    /// <summary>
    /// The sections that hold a key of this name ('training', 'data.window', 'training.optimizer.adam'), for a
    /// key written in the wrong place; empty when no section has it.
    /// </summary>
    public static IReadOnlyList<string> SectionsHolding(string key)
    {
        var found = new List<string>();
        void Walk(IEnumerable<OptionDef> options, string path)
        {
            foreach (var option in options)
            {
                string here = path.Length == 0 ? option.Name : path + "." + option.Name;
                if (option.Type == OptionType.Section)
                {
                    if (option.Children.Any(c => c.Name == key)) found.Add(here);
                    Walk(option.Children, here);
                }
                foreach (var variant in option.Variants)
                {
                    if (variant.Options.Any(o => o.Name == key)) found.Add(here + "." + variant.Name);
                    Walk(variant.Options, here + "." + variant.Name);
                }
            }
        }
        Walk(RootOptions, "");
        return found;
    }

    /// <summary>The definition behind a key path such as "data.window.lookback" or "training.optimizer.learning_rate".</summary>
    /// <param name="path">Dot-separated keys.</param>
    /// <param name="chosenVariant">For paths below a variant: which variant the spec chose (by the variant's path).</param>
    public static OptionDef? FindByPath(string path, System.Func<string, string?>? chosenVariant = null)
    {
        var parts = path.Split('.');
        IReadOnlyList<OptionDef> level = RootOptions;
        OptionDef? current = null;
        for (int i = 0; i < parts.Length; i++)
        {
            if (current is { Type: OptionType.Variant })
            {
                string variantPath = string.Join(".", parts, 0, i);
                string? chosen = chosenVariant?.Invoke(variantPath) ?? current.Default;
                var variant = current.Variants.FirstOrDefault(v => v.Name == chosen);
                return variant?.Options.FirstOrDefault(o => o.Name == parts[i]);
            }
            // An entry of an entry list is addressed by its position ('episodes.labels.0.column'): its options are the list's children.
            if (current is { Type: OptionType.EntryList } && parts[i].Length > 0 && parts[i].All(char.IsDigit)) continue;
            current = level.FirstOrDefault(o => o.Name == parts[i]);
            if (current is null) return null;
            level = current.Children;
        }
        return current;
    }

    public static readonly IReadOnlyList<OptionDef> InputOptions = new[]
    {
        new OptionDef("features", OptionType.Integer, "Number of features per time step (the last axis). Required for float32 input unless a data or text section implies it.") { Minimum = 0, MinimumExclusive = true, AllowsVocab = true },
        new OptionDef("time", OptionType.Integer, "Fixed number of time steps; leave out (or null) for an open time length.") { Nullable = true, Default = "null", Minimum = 0, MinimumExclusive = true },
        new OptionDef("dtype", OptionType.Choice, "float32 for (batch, time, features) series; int64 for (batch, time) token ids that feed an embedding.") { Default = "float32", Choices = new[] { "float32", "int64" } },
    };

    /// <summary>Jena's 14 numeric columns (the synthetic source has the same).</summary>
    public static readonly string[] ClimateColumns =
    {
        "p (mbar)", "T (degC)", "Tpot (K)", "Tdew (degC)", "rh (%)", "VPmax (mbar)", "VPact (mbar)", "VPdef (mbar)",
        "sh (g/kg)", "H2OC (mmol/mol)", "rho (g/m**3)", "wv (m/s)", "max. wv (m/s)", "wd (deg)",
    };

    internal static OptionDef Positive(string name, string description, string? defaultValue = null, bool required = false)
        => new(name, OptionType.Integer, description) { Default = defaultValue, Required = required, Minimum = 0, MinimumExclusive = true };

    private static OptionDef LearningRate(string defaultValue)
        => new("learning_rate", OptionType.Number, $"Learning rate (Keras default {defaultValue}).") { Default = defaultValue, Minimum = 0, MinimumExclusive = true };

    private static OptionDef Epsilon()
        => new("epsilon", OptionType.Number, "Small constant for numerical stability (Keras's 1e-7; PyTorch's default is 1e-8).") { Default = "1E-07", Minimum = 0, MinimumExclusive = true };

    public static readonly OptionDef WindowSection = new("window", OptionType.Section, "How samples are cut from the series, as the lecture's generator does: each sample is data[row - lookback : row : step], its target data[row + delay] (or the next 'horizon' values).")
    {
        Required = true,
        Children = new[]
        {
            Positive("lookback", "How many rows each sample looks back (1440 = 10 days of 10-minute rows).", required: true),
            Positive("step", "Sample every step-th row (6 = one point per hour). lookback must be a multiple of step; the model's time length is lookback / step.", "1"),
            new OptionDef("delay", OptionType.Integer, "How many rows after the last observed row the target lies (144 = 24 hours).") { Default = "0", Minimum = 0 },
            Positive("batch_size", "Samples per batch.", "128"),
            Positive("horizon", "Number of consecutive future values to predict (1: a single value).", "1"),
            new OptionDef("reverse", OptionType.Boolean, "Feed each window in anti-chronological order (the lecture's reversed-sequence experiment).") { Default = "false" },
            new OptionDef("shuffle", OptionType.Boolean, "Draw training rows at random (validation and test are always sequential).") { Default = "true" },
        },
    };

    public static readonly OptionDef SplitsSection = new("splits", OptionType.Section, "Row ranges of the series, as 'by' says: window rows (the lecture's generator: [min_index, max_index], a window's row lies in [min_index + lookback, max_index)) or target rows (as forecasting papers state splits: [first, last] target row, windows reading up to lookback rows before the first). 'end' means the last usable row. The ranges of target rows must not overlap.")
    {
        Required = true,
        Children = new[]
        {
            new OptionDef("by", OptionType.Choice, "window_rows: each range is the lecture's [min_index, max_index]; targets: each range is [first, last] row that the split's windows predict (0-based, inclusive), and its windows may read lookback rows before the first (windows that would start before row 0 are left out), e.g. ETTh1's train [0, 8639], val [8640, 11519], test [11520, 14399].") { Default = "window_rows", Choices = new[] { "window_rows", "targets" } },
            new OptionDef("train", OptionType.Split, "Training rows, e.g. [0, 200000]. Normalization statistics come from these rows only.") { Required = true },
            new OptionDef("val", OptionType.Split, "Validation rows, e.g. [200001, 300000]."),
            new OptionDef("test", OptionType.Split, "Test rows, e.g. [300001, end]."),
        },
    };

    public static readonly OptionDef DataSection = new("data", OptionType.Section, "Where the series comes from, which column is the target, how windows are cut and how the rows are split.")
    {
        Children = new[]
        {
            new OptionDef("source", OptionType.Choice, "synthetic-climate: a built-in series with Jena's 14 columns (works offline); jena-climate: the real Jena climate series, downloaded once into a per-user cache; ett: an ETT series (see 'series'), downloaded once into the same cache; csv: a file of your own ('path') or downloaded ('url').") { Required = true, Choices = new[] { "synthetic-climate", "jena-climate", "ett", "csv" } },
            new OptionDef("series", OptionType.Choice, "ett: which Electricity Transformer Temperature series (hourly ETTh1, ETTh2; 15-minute ETTm1, ETTm2), downloaded from the ETDataset repository; its columns are date, HUFL, HULL, MUFL, MULL, LUFL, LULL and OT.") { Default = "ETTh1", Choices = PublicDataSets.EttSeries },
            new OptionDef("path", OptionType.Text, "csv: the file, relative to the spec's folder (or absolute). The CLI's --data overrides it (a --data path is relative to the current directory)."),
            new OptionDef("url", OptionType.Text, "csv: an http(s) or file URL to download the CSV from, once, into the per-user cache ($SEQDSL_CACHE, else $XDG_CACHE_HOME/seqdsl, else ~/.cache/seqdsl), instead of 'path'. The CLI's --data overrides it."),
            new OptionDef("date_column", OptionType.Text, "csv: the column holding timestamps (default: the first column, when it holds dates)."),
            new OptionDef("date_format", OptionType.Text, "csv: a .NET date format such as 'dd.MM.yyyy HH:mm:ss' (default: Jena's or ISO 8601)."),
            new OptionDef("columns", OptionType.TextList, "csv: the numeric columns to use, in order (default: all but the date column)."),
            new OptionDef("missing", OptionType.Choice, "What to do with empty or non-numeric cells: error (the default) names the file, row and column.") { Default = "error", Choices = new[] { "error", "drop", "forward_fill", "interpolate" } },
            new OptionDef("sha256", OptionType.Text, "jena-climate, ett, csv with 'url': the expected SHA-256 of the downloaded file (the Jena archive); ETTh1 is pinned without it, and a file without a pinned hash is trusted on first download (its hash is recorded in the cache beside it)."),
            Positive("rows", "synthetic-climate: how many 10-minute rows to generate (Jena has 420551).", "420551"),
            new OptionDef("target", OptionType.Columns, "The column to predict, e.g. 'T (degC)'; or several, e.g. [HUFL, OT], or all (every column, in order): a multivariate forecast whose targets are (batch, horizon, columns), each column normalized with its own training statistics and the metrics averaged over horizon and columns.") { Required = true },
            WindowSection,
            SplitsSection,
            new OptionDef("normalize", OptionType.Boolean, "Subtract the mean and divide by the standard deviation of the training rows, per column.") { Default = "true" },
        },
    };

    public static readonly OptionDef TrainingSection = new("training", OptionType.Section, "How the model is trained.")
    {
        Children = new[]
        {
            new OptionDef("optimizer", OptionType.Variant, "The optimizer, with Keras's defaults, e.g. 'rmsprop' or '{ adam: { learning_rate: 0.001 } }'.")
            {
                Default = "rmsprop",
                Variants = new[]
                {
                    new VariantDef("rmsprop", "RMSprop (Keras: lr 0.001, rho 0.9, epsilon 1e-7).", LearningRate("0.001"),
                        new OptionDef("rho", OptionType.Number, "Discounting factor of the squared-gradient average.") { Default = "0.9", Minimum = 0, Maximum = 1, MaximumExclusive = true },
                        new OptionDef("momentum", OptionType.Number, "Momentum.") { Default = "0", Minimum = 0 },
                        Epsilon()),
                    new VariantDef("adam", "Adam (Keras: lr 0.001, beta_1 0.9, beta_2 0.999, epsilon 1e-7).", LearningRate("0.001"),
                        new OptionDef("beta_1", OptionType.Number, "Decay of the first-moment estimate.") { Default = "0.9", Minimum = 0, Maximum = 1, MaximumExclusive = true },
                        new OptionDef("beta_2", OptionType.Number, "Decay of the second-moment estimate.") { Default = "0.999", Minimum = 0, Maximum = 1, MaximumExclusive = true },
                        Epsilon()),
                    new VariantDef("sgd", "Stochastic gradient descent (Keras: lr 0.01).", LearningRate("0.01"),
                        new OptionDef("momentum", OptionType.Number, "Momentum.") { Default = "0", Minimum = 0 },
                        new OptionDef("nesterov", OptionType.Boolean, "Nesterov momentum.") { Default = "false" }),
                },
            },
            new OptionDef("loss", OptionType.Choice, "Training loss; categorical_crossentropy for a text task (computed from the logits before the softmax).") { Default = "mae", Choices = new[] { "mae", "mse", "huber", "categorical_crossentropy" } },
            Positive("epochs", "Number of epochs.", "20"),
            Positive("steps_per_epoch", "Training batches per epoch.", "500"),
            new OptionDef("validation_steps", OptionType.IntegerOrAll, "Validation batches per epoch; 'all' covers the validation rows once, as the lecture's val_steps.") { Default = "all", Minimum = 0, MinimumExclusive = true },
            new OptionDef("seed", OptionType.Integer, "Seed of weights, dropout masks and shuffled batches, for reproducible runs.") { Default = "42", Minimum = 0 },
            new OptionDef("clip_norm", OptionType.Number, "Clip the gradients' global norm to this value.") { Minimum = 0, MinimumExclusive = true },
            Positive("early_stopping_patience", "Stop after this many epochs without a better validation loss."),
            new OptionDef("learning_rate_decay", OptionType.Number, "Multiply the learning rate by this after every epoch (0.5 halves it).") { Default = "1", Minimum = 0, MinimumExclusive = true, Maximum = 1 },
        },
    };

    public static readonly OptionDef TextSection = new("text", OptionType.Section, "A character-level text task: windows of maxlen characters every step characters, the next character as target; the vocabulary comes from the corpus and is saved with the model.")
    {
        Children = new[]
        {
            new OptionDef("corpus", OptionType.Text, "'embedded' (a built-in public-domain English text, offline), 'nietzsche' (the lecture's corpus, downloaded once into the per-user cache from Keras's URL) or the path of a UTF-8 text file, relative to the spec's folder (or absolute); the CLI's --data (relative to the current directory) overrides it.") { Default = "embedded" },
            new OptionDef("url", OptionType.Text, "An http(s) or file URL of a text file, downloaded once into the per-user cache, instead of 'corpus'."),
            new OptionDef("sha256", OptionType.Text, "The expected SHA-256 of the downloaded corpus ('url', or 'nietzsche' instead of its pinned hash); without it a 'url' file is trusted on first download."),
            new OptionDef("lowercase", OptionType.Boolean, "Lower-case the corpus first.") { Default = "true" },
            Positive("maxlen", "Characters per window (the model's time length).", "60"),
            Positive("step", "Characters between the starts of consecutive windows.", "3"),
            Positive("batch_size", "Windows per batch.", "128"),
            new OptionDef("encoding", OptionType.Choice, "one_hot: (batch, maxlen, vocab) vectors; indices: (batch, maxlen) ids for an embedding layer.") { Default = "one_hot", Choices = new[] { "one_hot", "indices" } },
            new OptionDef("validation_fraction", OptionType.Number, "The last fraction of the corpus held out for validation.") { Default = "0.05", Minimum = 0, Maximum = 1, MaximumExclusive = true },
            new OptionDef("shuffle", OptionType.Boolean, "Draw training windows at random.") { Default = "true" },
        },
    };

    public static readonly OptionDef SamplingSection = new("sampling", OptionType.Section, "Text samples printed during training and saved with the history, as the lecture does after each epoch.")
    {
        Children = new[]
        {
            new OptionDef("temperatures", OptionType.NumberList, "Softmax temperatures to sample at.") { Default = "0.2,0.5,1,1.2", Minimum = 0, MinimumExclusive = true },
            Positive("length", "Characters per sample.", "400"),
            Positive("every", "Sample after every n-th epoch.", "1"),
        },
    };

    /// <summary>The options of one label entry ('- short_stay: { column: Length_of_stay, below: 3, missing_as: 0 }'); below, at_least and in exclude each other.</summary>
    private static OptionDef[] LabelOptions() => new[]
    {
        new OptionDef("column", OptionType.Text, "The outcome column or static descriptor the label comes from, e.g. In-hospital_death or ICUType. A static a label comes from is never an input.") { Required = true },
        new OptionDef("below", OptionType.Number, "1 where the value is below this threshold (Length_of_stay below 3); without below, at_least or in the column already holds 0 or 1."),
        new OptionDef("at_least", OptionType.Number, "1 where the value is at least this threshold."),
        new OptionDef("in", OptionType.NumberList, "1 where the value is one of these (ICUType in [2, 4])."),
        new OptionDef("missing_as", OptionType.Integer, "The label (0 or 1) of a record whose value is missing; left out, such a record stops the run with its id.") { Minimum = 0, Maximum = 1 },
    };

    public static readonly OptionDef EpisodesSection = new("episodes", OptionType.Section, "A diagnosis task on irregular multivariate records (Lipton et al. 2016): each record's observations are resampled into steps, the model reads them and predicts binary labels. The model's input width follows from the source, the preprocessing and the representation.")
    {
        Children = new[]
        {
            new OptionDef("source", OptionType.Choice, "synthetic-icu: a built-in ICU-like set with 14 vitals and labs and 12 labels (offline); physionet-2012: the PhysioNet Challenge 2012 stays (set-a.tar.gz or a folder) and outcomes file; long-csv: a CSV of (record, time, variable, value) rows and a labels CSV.") { Required = true, Choices = new[] { "synthetic-icu", "physionet-2012", "long-csv" } },
            Positive("records", "synthetic-icu: how many records to generate.", "2000"),
            new OptionDef("seed", OptionType.Integer, "synthetic-icu: the seed of the generated records.") { Default = "1", Minimum = 0 },
            new OptionDef("path", OptionType.Text, "physionet-2012: the set-?.tar.gz archive or folder of stays; long-csv: the observations CSV. Relative to the spec's folder (or absolute); the CLI's --data (relative to the current directory) overrides it."),
            new OptionDef("outcomes", OptionType.Text, "physionet-2012: the Outcomes-?.txt file; long-csv: the labels CSV (one row per record). Relative to the spec's folder (or absolute); the CLI's --outcomes overrides it."),
            new OptionDef("columns", OptionType.Section, "long-csv: the column names of the observations CSV.")
            {
                Children = new[]
                {
                    new OptionDef("record", OptionType.Text, "The record id column (in both files).") { Default = "record" },
                    new OptionDef("time", OptionType.Text, "The time column: minutes since the start of the record, or HH:MM.") { Default = "time" },
                    new OptionDef("variable", OptionType.Text, "The variable-name column.") { Default = "variable" },
                    new OptionDef("value", OptionType.Text, "The value column; an empty cell is missing.") { Default = "value" },
                },
            },
            new OptionDef("variables", OptionType.TextList, "long-csv: the time-varying variables, in channel order (the build needs them for the model's input width)."),
            new OptionDef("statics", OptionType.TextList, "long-csv: variables that are static descriptors of a record (their first value is kept)."),
            new OptionDef("missing_sentinel", OptionType.Number, "long-csv: a value that means 'not measured' (PhysioNet's -1); left out, every number is data."),
            new OptionDef("unknown_variables", OptionType.Choice, "What a variable the source does not list does: ignore leaves it out (and lists it once), error stops at its first row.") { Default = "ignore", Choices = new[] { "ignore", "error" } },
            new OptionDef("labels", OptionType.EntryList, "The scored labels, in order, each '- name: { column: …, below | at_least | in: … }'; at least one.") { Required = true, Children = LabelOptions() },
            new OptionDef("auxiliary", OptionType.EntryList, "Labels trained on as extra outputs but never scored (Lipton et al.'s auxiliary targets), in the same form as 'labels'.") { Children = LabelOptions() },
            new OptionDef("preprocessing", OptionType.Section, "How each record's observations become a series of steps; statistics come from the training records only.")
            {
                Children = new[]
                {
                    new OptionDef("interval_minutes", OptionType.Number, "The step length in minutes (60: hourly).") { Default = "60", Minimum = 0, MinimumExclusive = true },
                    new OptionDef("aggregate", OptionType.Choice, "How the observations within one step are combined.") { Default = "mean", Choices = new[] { "mean", "last", "min", "max" } },
                    new OptionDef("horizon_hours", OptionType.Number, "Only observations in the first this many hours are used (48: the challenge's window); left out, all are.") { Minimum = 0, MinimumExclusive = true },
                    Positive("max_steps", "The most steps a record keeps (its first ones); left out, no limit."),
                    new OptionDef("imputation", OptionType.Choice, "forward_fill: a step without an observation takes the record's last value, before the first one the training median; median: always the training median.") { Default = "forward_fill", Choices = new[] { "forward_fill", "median" } },
                    new OptionDef("clip_quantile", OptionType.Number, "Clip each variable's and static's values to the training quantiles q and 1 − q before fitting and scaling (0.005: the 0.5th and 99.5th percentiles), so implausible readings neither stretch the scaling nor reach the model; left out, no clipping.") { Minimum = 0, Maximum = 0.5, MaximumExclusive = true },
                    new OptionDef("missing_indicators", OptionType.Boolean, "Add a channel per variable that is 1 where the step had an observation (Lipton et al. 2016).") { Default = "false" },
                    new OptionDef("time_since_observed", OptionType.Boolean, "Add a channel per variable with the hours since its last observation.") { Default = "false" },
                    new OptionDef("scaling", OptionType.Choice, "How value, time and static channels are rescaled with training statistics (indicators stay 0/1).") { Default = "min_max", Choices = new[] { "min_max", "standardize", "none" } },
                    new OptionDef("static_inputs", OptionType.Boolean, "Add the static descriptors (except those a label comes from) as channels at every step.") { Default = "false" },
                    new OptionDef("include", OptionType.TextList, "Only these variables and statics are used; left out, all are."),
                    new OptionDef("exclude", OptionType.TextList, "Variables and statics left out."),
                    new OptionDef("empty_episodes", OptionType.Choice, "What a record without observations within the horizon does: error names the records; keep_one_step keeps it as one step of imputed values.") { Default = "error", Choices = new[] { "error", "keep_one_step" } },
                },
            },
            new OptionDef("representation", OptionType.Variant, "What the model reads per record: sequence, the steps (batch, time, features) padded per batch with each record's length; summary, per-variable statistics over the horizon (batch, features); first_last, the first and last n steps flattened (batch, features).")
            {
                Default = "sequence",
                Variants = new[]
                {
                    new VariantDef("sequence", "The preprocessed steps, padded per batch; recurrent layers read each record up to its own length."),
                    new VariantDef("summary", "Per variable: min, max, mean, std, first, last, count and missing fraction, then the statics."),
                    new VariantDef("first_last", "The first and the last n steps of the sequence, flattened.",
                        Positive("steps", "Steps taken at each end.", "6")),
                },
            },
            new OptionDef("splits", OptionType.Section, "How the records are split, stratified on the first label: fractions for training and validation, the test set the rest; or a test set of its own (test_path), the records of path then split into training and validation only.")
            {
                Children = new[]
                {
                    new OptionDef("train", OptionType.Number, "Fraction of the records for training; leave out with test_path (training then takes all but validation).") { Default = "0.7", Minimum = 0, MinimumExclusive = true, Maximum = 1 },
                    new OptionDef("val", OptionType.Number, "Fraction of the records for validation.") { Default = "0.15", Minimum = 0, Maximum = 1, MaximumExclusive = true },
                    new OptionDef("seed", OptionType.Integer, "Seed of the split.") { Default = "7", Minimum = 0 },
                    new OptionDef("test_path", OptionType.Text, "physionet-2012, long-csv: a whole other set (as path) used as the test set, e.g. set-b.tar.gz; relative to the spec's folder (or absolute)."),
                    new OptionDef("test_outcomes", OptionType.Text, "The outcomes of test_path, relative to the spec's folder (or absolute)."),
                },
            },
            Positive("batch_size", "Records per batch.", "32"),
            new OptionDef("target_replication", OptionType.Number, "Target replication α (Lipton et al.): the loss is α·(mean over each record's real steps) + (1 − α)·(the last real step). Above 0 it needs an output per step and the sequence representation.") { Default = "0", Minimum = 0, Maximum = 1 },
            new OptionDef("auxiliary_weight", OptionType.Number, "Weight of the auxiliary labels' loss relative to the scored labels'.") { Default = "1", Minimum = 0 },
            new OptionDef("positive_weight", OptionType.Choice, "none: every record counts once; balanced: each label's positives weigh negatives/positives of the training records.") { Default = "none", Choices = new[] { "none", "balanced" } },
            new OptionDef("monitor", OptionType.Choice, "The validation figure that picks the best epoch and drives early stopping: macro or micro AUROC over the scored labels, the first label's AUROC, or the loss.") { Default = "val_macro_auroc", Choices = new[] { "val_macro_auroc", "val_micro_auroc", "val_first_auroc", "val_loss" } },
            Positive("precision_at", "k of precision at k over the labels of each record (capped by the label count).", "10"),
            new OptionDef("summary_baseline", OptionType.Choice, "A baseline trained beside the model (and the base rate) on the summary features of the same training records, whatever the model reads: gradient_boosted_trees, one FastTree ensemble per scored label (the runtime's GradientBoostedTreesOptions). Its row joins the baselines; ensemble_with may name it (gradient_boosted_trees) as a member.") { Default = "none", Choices = new[] { "none", "gradient_boosted_trees" } },
            new OptionDef("ensemble_with", OptionType.TextList, "Other experiments of the project to ensemble with (Lipton et al.'s last rows: the best recurrent model with the best baseline): their run folders' predictions.csv, in folders named after them beside this run's folder, are combined with this model's probabilities by mean, by max and by the mean of their log-odds, and reported as extra rows (each member, then all together). X-sweep names experiment X's sweep folder beside this run (`sweep -e X --out <that folder>`): one member, the mean of its runs (a seed ensemble when the sweep varies training.seed; left out under --folds); in the rows of all members, this model joins its own sweep's runs as one more seed. They must have been trained on the same records and split."),
        },
    };

    public static readonly OptionDef BaselineOption = new("baseline", OptionType.Variant, "The common-sense baseline reported beside the model, over exactly the validation and test batches: naive repeats the last observed target; seasonal_naive the value one season earlier.")
    {
        Default = "naive",
        Variants = new[]
        {
            new VariantDef("naive", "Predict the last observed value of the target (for a horizon: repeat it)."),
            new VariantDef("seasonal_naive", "Predict the value one season before the target row.",
                Positive("season", "Season length in rows (144 = one day of 10-minute rows).", "144")),
            new VariantDef("none", "No baseline."),
        },
    };

    /// <summary>How the layers meet the input's columns; 'independent' is channel independence (DLinear, PatchTST).</summary>
    public static readonly OptionDef ChannelsOption = new("channels", OptionType.Choice, "mixed: the layers read all input columns together. independent: one shared model is applied to every input column as a separate series, (batch, time, columns) → (batch·columns, time, 1) → the layers → (batch·columns, horizon) → (batch, horizon, columns); the layers see one feature, end in (None, horizon), and are trained on every column's forecast and scored on the target columns.")
    {
        Default = "mixed",
        Choices = new[] { "mixed", "independent" },
    };

    /// <summary>
    /// The key paths a sweep may give values for: a layer's option by the layer's name ('layers.gru_1.units', nested layers
    /// of blocks by their names too), a training key or an optimizer option. The JSON Schema states this pattern; the parser
    /// checks it first, then that the layer, key or option exists (which only the spec can tell).
    /// </summary>
    /// Option names may hold digits after their first character (the optimizer's beta_1 and beta_2).
    public const string SweepKeyPattern = @"^(layers\.[A-Za-z_][A-Za-z0-9_]*\.[a-z_][a-z0-9_]*|training(\.optimizer)?\.[a-z_][a-z0-9_]*)$";

    /// <summary>Option types whose values a sweep may list: scalars.</summary>
    public static bool IsSweepable(OptionDef option)
        => option.Type is OptionType.Integer or OptionType.Number or OptionType.Boolean or OptionType.Choice or OptionType.IntegerOrAll;

    public static readonly OptionDef SweepSection = new("sweep", OptionType.Section, "Runs of this spec with other values: each key path lists the values to try. Layer options ('layers.<name>.<option>') expand at build time into one model class per combination (<model>V0, <model>V1, …, each shape-checked); training keys ('training.<key>', 'training.optimizer.<option>') are applied to each run's training settings. The runs are listed in the spec's experiment (Sweep), in a fixed order.")
    {
        Children = new[]
        {
            new OptionDef("values", OptionType.SweepValues, "Key path → the values to try, in order, e.g. 'layers.gru_1.units: [16, 32]', 'training.optimizer.learning_rate: [0.001, 0.0005]', 'training.seed: [1, 2]'. Each value is checked like the option it sets.") { Required = true },
            new OptionDef("strategy", OptionType.Variant, "Which combinations run: grid, every combination (the keys in the order written, the last changing fastest); random, a seeded subset of the grid.")
            {
                Default = "grid",
                Variants = new[]
                {
                    new VariantDef("grid", "Every combination of the values, the last key changing fastest; a run's index is its position in the grid."),
                    new VariantDef("random", "count distinct combinations of the grid, drawn with seed (SplitMix64 and Floyd's sampling, the same on every machine), run in grid order; a count of at least the grid's size runs the whole grid.",
                        Positive("count", "How many combinations to run.", required: true),
                        new OptionDef("seed", OptionType.Integer, "Seed of the draw.") { Default = "0", Minimum = 0 }),
                },
            },
        },
    };

    public static readonly IReadOnlyList<OptionDef> RootOptions = new[]
    {
        new OptionDef("model", OptionType.Identifier, "Name of the model; the generated class is <model>Model.") { Required = true },
        new OptionDef("namespace", OptionType.Identifier, "Namespace of the generated class; defaults to the project's root namespace."),
        new OptionDef("description", OptionType.Text, "Free text, shown in the generated class's documentation."),
        new OptionDef("input", OptionType.Layer, "Shape of one input batch: (batch, time, features). Required without a 'data', 'text' or 'episodes' section; with one, time and features follow from the task."),
        new OptionDef("layers", OptionType.Layer, "The layers, applied in order.") { Required = true },
        ChannelsOption,
        DataSection,
        TextSection,
        EpisodesSection,
        TrainingSection,
        SamplingSection,
        BaselineOption,
        InstanceNormalization.Option,
        SweepSection,
    };

    /// <summary>A section that says what the model reads (and so its input's shape).</summary>
    private static readonly KeyCondition s_task = KeyCondition.AnyOf(KeyCondition.Present("data"), KeyCondition.Present("text"), KeyCondition.Present("episodes"));

    /// <summary>
    /// Keys required only in some specs. Keys required always are <see cref="OptionDef.Required"/>; these depend on
    /// other keys. The parser checks them and the JSON Schema states them, both from this list.
    /// </summary>
    public static readonly IReadOnlyList<Requirement> Requirements = new[]
    {
        new Requirement("input", KeyCondition.Not(s_task),
            "add 'input: { features: N }' for (batch, time, N) series, or a 'data', 'text' or 'episodes' section that gives the shape"),
        new Requirement("input.features", KeyCondition.AllOf(KeyCondition.Not(s_task), KeyCondition.Not(KeyCondition.Is("input.dtype", "int64"))),
            "float32 input is (batch, time, features)"),
        new Requirement("data.columns", KeyCondition.AllOf(KeyCondition.Is("data.source", "csv"), KeyCondition.Not(KeyCondition.Present("input.features"))),
            "list the csv's numeric columns (or give 'features' under 'input') so the model's input size is known at build time"),
        new Requirement("episodes.variables", KeyCondition.Is("episodes.source", "long-csv"),
            "list the long-csv source's time-varying variables so the model's input width is known at build time"),
        new Requirement("data", KeyCondition.AllOf(KeyCondition.Present("training"), KeyCondition.Not(s_task)),
            "'training' needs a 'data' section that says what to train on"),
    };

    /// <summary>
    /// Keys that may not be given together with others: conflicts of which keys a spec gives (and what its source
    /// is), not of their values. The parser checks them and the JSON Schema states them, both from this list.
    /// </summary>
    public static readonly IReadOnlyList<Conflict> Conflicts = new[]
    {
        ChannelsIndependentIn("text"),
        ChannelsIndependentIn("episodes"),
        new Conflict("text", KeyCondition.Present("data"), "A spec has either a 'data' section (a numeric series) or a 'text' section (a character corpus), not both"),
        EpisodesWith("data", "a numeric series task"),
        EpisodesWith("text", "a text task"),
        EpisodesWith("sampling", "a text task"),
        EpisodesWith("baseline", "a numeric series task"),
        new Conflict("input.features", KeyCondition.Is("input.dtype", "int64"),
            "'features' in 'input' must be left out when dtype is int64: token input is (batch, time); the embedding layer sets the feature size"),
        SourceOnly("data", "path", "csv"),
        SourceOnly("data", "url", "csv"),
        SourceOnly("data", "date_column", "csv"),
        SourceOnly("data", "date_format", "csv"),
        SourceOnly("data", "sha256", "jena-climate", "ett", "csv"),
        SourceOnly("data", "rows", "synthetic-climate"),
        SourceOnly("data", "series", "ett"),
        new Conflict("data.url", KeyCondition.AllOf(KeyCondition.Is("data.source", "csv"), KeyCondition.Present("data.path")),
            "'url' in 'data' downloads the CSV that 'path' would name: give one of them ('path' for a file of your own, 'url' to download one into the per-user cache)"),
        new Conflict("data.sha256", KeyCondition.AllOf(KeyCondition.Is("data.source", "csv"), KeyCondition.Not(KeyCondition.Present("data.url"))),
            "'sha256' in 'data' checks a downloaded file: with the csv source it needs a 'url' (a file of your own, given by 'path', is read as it is)"),
        new Conflict("text.url", KeyCondition.Present("text.corpus"), "'url' in 'text' downloads the corpus that 'corpus' would name: give one of them")
            { Shows = "text.corpus" },
        new Conflict("text.sha256", KeyCondition.AllOf(KeyCondition.Not(KeyCondition.Present("text.url")), KeyCondition.Not(KeyCondition.Is("text.corpus", PublicDataSets.NietzscheCorpus))),
            $"'sha256' in 'text' checks a downloaded corpus ('url', or 'corpus: {PublicDataSets.NietzscheCorpus}'); the embedded corpus and a file of your own are read as they are")
            { Shows = "text.corpus" },
        SourceOnly("episodes", "records", "synthetic-icu"),
        SourceOnly("episodes", "seed", "synthetic-icu"),
        SourceOnly("episodes", "path", "physionet-2012", "long-csv"),
        SourceOnly("episodes", "outcomes", "physionet-2012", "long-csv"),
        SourceOnly("episodes", "splits.test_path", "physionet-2012", "long-csv"),
        SourceOnly("episodes", "splits.test_outcomes", "physionet-2012", "long-csv"),
        SourceOnly("episodes", "columns", "long-csv"),
        SourceOnly("episodes", "variables", "long-csv"),
        SourceOnly("episodes", "statics", "long-csv"),
        SourceOnly("episodes", "missing_sentinel", "long-csv"),
        new Conflict("episodes.splits.test_outcomes",
            KeyCondition.AllOf(KeyCondition.Not(KeyCondition.Present("episodes.splits.test_path")), KeyCondition.Is("episodes.source", "physionet-2012", "long-csv")),
            "'test_outcomes' in 'episodes.splits' belongs to a 'test_path'; this spec has none"),
        EpisodesTrainingKey("loss"),
        EpisodesTrainingKey("steps_per_epoch"),
        EpisodesTrainingKey("validation_steps"),
    };

    private static Conflict ChannelsIndependentIn(string task)
        => new(ChannelsOption.Name, KeyCondition.Present(task),
            $"'channels: independent' applies a model to each column of a numeric series separately; a '{task}' task has no such columns") { Word = "independent" };

    private static Conflict EpisodesWith(string other, string belongsTo)
        => new(EpisodesSection.Name, KeyCondition.Present(other),
            $"An 'episodes' section (labelled records) is a task of its own: leave out the '{other}' section, which belongs to {belongsTo}");

    /// <summary>A key of a section that only some of its sources read; given with another of the catalog's sources (a source the catalog lacks is its own message), it conflicts.</summary>
    private static Conflict SourceOnly(string section, string key, params string[] sources)
    {
        string sourcePath = section + ".source";
        var others = FindByPath(sourcePath)!.Choices.Where(choice => !sources.Contains(choice)).ToArray();
        return new Conflict(section + "." + key, KeyCondition.Is(sourcePath, others),
            $"'{key}' in '{section}' applies to the {Helpers.Text.JoinWords(sources)} source{(sources.Length > 1 ? "s" : "")} only") { Shows = sourcePath };
    }

    private static Conflict EpisodesTrainingKey(string key)
        => new("training." + key, KeyCondition.Present(EpisodesSection.Name),
            $"'{key}' in 'training' does not apply to an episodes task: an epoch is one pass over the training records (validation all of its records), and the loss is binary cross-entropy from logits with the 'episodes' section's target_replication, auxiliary_weight and positive_weight");
}
