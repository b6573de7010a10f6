using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using SeqDsl.Generator.Catalog;
using SeqDsl.Generator.Diagnostics;
using SeqDsl.Generator.Helpers;
using SeqDsl.Generator.Layers;
using SeqDsl.Generator.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SeqDsl.Generator.Parsing;

/// <summary>
/// YAML text → <see cref="ModelSpec"/> plus diagnostics. Pure: it sees only the text and reports every
/// problem it can find (not just the first) at the line and column of the offending key or value.
/// </summary>
internal sealed partial class SpecParser
{
    private const long MaxInteger = SpecLimits.MaxInteger;

    private readonly string _path;
    private readonly List<DiagnosticInfo> _diagnostics = new();
    private SourceSpan _modelSpan = SourceSpan.FileStart;
    private readonly List<ReadableLayer> _readableLayers = new();
    /// <summary>Every named member a layer (nested ones included) or the normalization gives the class, with where the spec says it, for the name checks.</summary>
    private readonly List<(string Name, SourceSpan Span, string Where)> _members = new();
    /// <summary>The episodes task's label count, which 'units: labels' stands for; null without an episodes section.</summary>
    private int? _labelCount;

    /// <summary>The first lines of the CSV files the spec names, for the binder's header check.</summary>
    private readonly EquatableArray<CsvHeader> _csvHeaders;

    private SpecParser(string path, EquatableArray<CsvHeader> csvHeaders)
    {
        _path = path;
        _csvHeaders = csvHeaders;
    }

    public static ParsedSpec Parse(SpecFile file)
    {
        var parser = new SpecParser(file.Path, file.CsvHeaders);
        var (modelName, ns, spec) = parser.ParseText(file.Text);
        return new ParsedSpec(file.Path, file.RootNamespace, modelName, parser._modelSpan, ns, spec, parser._diagnostics.ToEquatableArray())
        {
            ReadableLayers = parser._readableLayers.ToEquatableArray(),
        };
    }

    private (string? ModelName, string? Namespace, ModelSpec? Spec) ParseText(string text)
    {
        if (!WithinLimits(text)) return (null, null, null);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            var span = ToSpan(e.Start, e.End);
            var message = Unwrap(e);
            if (message.IndexOf("Duplicate key", StringComparison.OrdinalIgnoreCase) >= 0)
                Report(SeqDiagnostics.DuplicateKey, span, KeyAt(text, span), "the spec");
            else if (TabInIndentation(text, span, message) is { } tab)
                Report(SeqDiagnostics.YamlSyntax, tab, "the indentation holds a tab character; expected spaces (YAML indents with spaces only)");
            else if (Misindented(text, span, message) is { } misindented)
                Report(SeqDiagnostics.YamlSyntax, misindented.Span, misindented.Message);
            else
                Report(SeqDiagnostics.YamlSyntax, span, message);
            return ModelLine(text);
        }
        catch (Exception e) when (e is InvalidOperationException || e is ArgumentException)
        {
            // YamlDotNet reports some malformed documents (e.g. an unclosed flow mapping) with a bare
            // InvalidOperationException and no position; find the last place the parser still understood.
            Report(SeqDiagnostics.YamlSyntax, LastGoodPosition(text), "unexpected content here; check brackets, quotes and indentation");
            return ModelLine(text);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var node = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
            Report(SeqDiagnostics.RootNotMapping, node is null ? SourceSpan.FileStart : Span(node), node is null ? "an empty document" : Describe(node));
            return (null, null, null);
        }

        var keys = ReadMapping(root, SpecCatalog.RootOptions, "the spec", string.Join(", ", SpecCatalog.RootOptions.Select(o => o.Name)));
        string? modelName = ReadIdentifier(keys, "model", "the spec", allowDots: false, required: true, root, out var modelSpan);
        _modelSpan = modelSpan;
        string? ns = ReadIdentifier(keys, "namespace", "the spec", allowDots: true, required: false, root, out _);
        string? description = keys.TryGetValue("description", out var d) ? ScalarText(d.Value, "description", "the spec") : null;

        bool hasData = keys.ContainsKey("data") || keys.ContainsKey("text") || keys.ContainsKey("episodes");
        InputSpec? input = null;
        if (keys.TryGetValue("input", out var inputEntry))
            input = ParseInput(inputEntry.Value);
        else if (hasData)
            input = new InputSpec(null, null, "float32", Span(root));
        CheckRequirements(root);
        CheckConflicts(root);

        var experimentValues = new List<OptionValue>();
        foreach (var section in new[] { SpecCatalog.DataSection, SpecCatalog.TextSection, SpecCatalog.EpisodesSection, SpecCatalog.TrainingSection, SpecCatalog.SamplingSection })
        {
            if (!keys.TryGetValue(section.Name, out var entry)) continue;
            if (entry.Value is YamlMappingNode sectionMapping)
                ReadSection(sectionMapping, section, section.Name, $"'{section.Name}'", experimentValues);
            else
                Report(SeqDiagnostics.WrongType, Span(entry.Value), section.Name, "the spec", "a mapping", Describe(entry.Value));
        }
        if (keys.TryGetValue("baseline", out var baselineEntry))
            ReadVariant(baselineEntry.Value, SpecCatalog.BaselineOption, "baseline", "the spec", experimentValues, baselineEntry.Key.Span(this));
        bool channelsIndependent = keys.TryGetValue("channels", out var channelsEntry)
            && ReadValue(SpecCatalog.ChannelsOption, channelsEntry.Value, "the spec") == "independent";
        if (keys.ContainsKey("episodes"))
            _labelCount = ExperimentBinder.LabelCount(new SettingValues(experimentValues));

        EquatableArray<LayerSpec>? layers = null;
        if (keys.TryGetValue("layers", out var layersEntry))
            layers = ParseLayers(layersEntry.Value);
        else
            Report(SeqDiagnostics.MissingKey, Span(root), "layers", "the spec", "list the model's layers, e.g. 'layers: [ { gru: { units: 32 } }, { dense: { units: 1 } } ]'");

        InstanceNormSettings? normalization = null;
        if (keys.TryGetValue(InstanceNormalization.Option.Name, out var normalizationEntry))
        {
            var normalizationValues = new List<OptionValue>();
            int beforeNormalization = _diagnostics.Count;
            var normalizationSpan = normalizationEntry.Key.Span(this);
            ReadVariant(normalizationEntry.Value, InstanceNormalization.Option, InstanceNormalization.Option.Name, "the spec", normalizationValues, normalizationSpan);
            if (_diagnostics.Count == beforeNormalization)
            {
                normalization = InstanceNormalization.Bind(new SettingValues(normalizationValues), normalizationSpan);
                _members.Add((normalization.Name, normalizationSpan, $"'{InstanceNormalization.Option.Name}'"));
                _readableLayers.Add(new ReadableLayer(GeneratedNames.PropertyName(normalization.Name), InstanceNormalization.RuntimeType));
            }
        }
        CheckLayerNames(modelName is null ? null : GeneratedNames.ClassName(modelName));
        SweepDraft? sweepDraft = null;
        if (keys.TryGetValue(SpecCatalog.SweepSection.Name, out var sweepEntry))
            sweepDraft = ReadSweep(sweepEntry.Key.Span(this), sweepEntry.Value, root, layers, experimentValues, hasData);

        // Settings are checked against each other only once each is valid on its own, so one mistake gives one diagnostic.
        ExperimentSettings? experiment = null;
        string? task = new[] { "data", "text", "episodes" }.FirstOrDefault(keys.ContainsKey);
        var sectionSpan = task is null ? SourceSpan.FileStart : keys[task].Key.Span(this);
        if (_diagnostics.Count == 0)
        {
            experiment = ExperimentBinder.Bind(_path, new SettingValues(experimentValues), keys.ContainsKey("data"), keys.ContainsKey("text"), keys.ContainsKey("episodes"),
                sectionSpan, _diagnostics, _csvHeaders);
        }
        // The sweep is expanded last: its runs and variants are the valid spec with other values.
        SweepSettings? sweep = null;
        if (_diagnostics.Count == 0 && sweepDraft is not null && modelName is not null && layers is not null && experiment is not null)
            sweep = ExpandSweep(sweepDraft, modelName, layers.Value, experimentValues, keys.ContainsKey("text"), sectionSpan);

        ModelSpec? spec = null;
        if (!_diagnostics.Any(d => d.IsError) && modelName is not null && input is not null && layers is not null && experiment is not null && (sweepDraft is null || sweep is not null))
            spec = new ModelSpec(modelName, modelSpan, ns, description, input, layers.Value, experiment) { ChannelsIndependent = channelsIndependent, Normalization = normalization, Sweep = sweep };
        return (modelName, ns, spec);
    }

    private static readonly Regex s_modelLine = new(@"^model[ \t]*:[ \t]*['""]?([A-Za-z_][A-Za-z0-9_]*)['""]?[ \t]*(#.*)?\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant);
    private static readonly Regex s_namespaceLine = new(@"^namespace[ \t]*:[ \t]*['""]?([A-Za-z_][A-Za-z0-9_.]*)['""]?[ \t]*(#.*)?\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant);

    /// <summary>
    /// The model name (and namespace) of a spec that is not valid YAML, from its top-level 'model:' line, so
    /// the placeholder class keeps its name; nothing when no such line names a usable model.
    /// </summary>
    private (string? ModelName, string? Namespace, ModelSpec? Spec) ModelLine(string text)
    {
        var model = s_modelLine.Matches(text);
        if (model.Count != 1 || GeneratedNames.ModelNameProblem(model[0].Groups[1].Value) is not null) return (null, null, null);
        var ns = s_namespaceLine.Matches(text);
        string? nsName = ns.Count == 1 && GeneratedNames.IsNamespace(ns[0].Groups[1].Value) ? ns[0].Groups[1].Value : null;
        _modelSpan = SpanAtOffset(text, model[0].Groups[1].Index);
        return (model[0].Groups[1].Value, nsName, null);
    }

    /// <summary>
    /// Checks size and nesting depth from the parser's event stream (which keeps its own stack) before the
    /// tree loader runs: the loader recurses once per level, and a stack overflow cannot be caught.
    /// Syntax errors are left to the loader, which reports them with more context.
    /// </summary>
    private bool WithinLimits(string text)
    {
        if (text.Length > SpecLimits.MaxDocumentLength)
        {
            Report(SeqDiagnostics.TooDeepOrTooLarge, SpanAtOffset(text, SpecLimits.MaxDocumentLength), "too large",
                $"{Text.Format(SpecLimits.MaxDocumentLength)} characters", $"{Text.Format(text.Length)} characters");
            return false;
        }
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        int depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case YamlDotNet.Core.Events.SequenceStart or YamlDotNet.Core.Events.MappingStart:
                        if (++depth > SpecLimits.MaxNestingDepth)
                        {
                            Report(SeqDiagnostics.TooDeepOrTooLarge, ToSpan(parser.Current.Start, parser.Current.Start), "nested too deeply",
                                $"{SpecLimits.MaxNestingDepth} levels of lists and mappings", $"level {depth} here");
                            return false;
                        }
                        break;
                    case YamlDotNet.Core.Events.SequenceEnd or YamlDotNet.Core.Events.MappingEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (Exception e) when (e is YamlException || e is InvalidOperationException || e is ArgumentException)
        {
            // A syntax error before any limit was crossed: the loader below reports it.
        }
        return true;
    }

    private static SourceSpan SpanAtOffset(string text, int offset)
    {
        int line = 0, lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (text[i] == '\n') { line++; lineStart = i + 1; }
        }
        return new SourceSpan(offset, offset, line, offset - lineStart, line, offset - lineStart);
    }

    // ---- sections --------------------------------------------------------------------------------

    private InputSpec? ParseInput(YamlNode node)
    {
        if (node is not YamlMappingNode mapping)
        {
            Report(SeqDiagnostics.WrongType, Span(node), "input", "the spec", "a mapping such as '{ features: 14 }'", Describe(node));
            return null;
        }
        int before = _diagnostics.Count;
        var keys = ReadMapping(mapping, SpecCatalog.InputOptions, "'input'", "features, time, dtype");
        var values = new Dictionary<string, string>();
        foreach (var pair in keys)
        {
            var def = SpecCatalog.InputOptions.First(o => o.Name == pair.Key);
            if (ReadValue(def, pair.Value.Value, "'input'") is { } value) values[pair.Key] = value;
        }
        string dtype = values.TryGetValue("dtype", out var t) ? t : "float32";
        Dim? features = values.TryGetValue("features", out var f) ? NamedSizes.Parse(f) is { } named ? Dim.Named(named) : Dim.Of(long.Parse(f, CultureInfo.InvariantCulture)) : null;
        long? time = values.TryGetValue("time", out var tm) && tm != "null" ? long.Parse(tm, CultureInfo.InvariantCulture) : null;
        // 'features' with dtype int64 is a catalog conflict (CheckConflicts).
        return _diagnostics.Count == before ? new InputSpec(features, time, dtype, Span(mapping)) : null;
    }

    /// <summary>
    /// The catalog's conditional requirements (<see cref="SpecCatalog.Requirements"/>), which the JSON Schema states
    /// too: each missing key is reported at the mapping that should hold it, when that mapping exists.
    /// </summary>
    private void CheckRequirements(YamlMappingNode root)
    {
        foreach (var requirement in SpecCatalog.Requirements)
        {
            if (!requirement.When.Holds(path => Lookup(root, path)?.Text)) continue;
            if (Lookup(root, requirement.Parent) is not { Node: YamlMappingNode parent }) continue;
            if (Lookup(root, requirement.Path) is not null) continue;
            string context = requirement.Parent.Length == 0 ? "the spec" : $"'{requirement.Parent}'";
            Report(SeqDiagnostics.MissingKey, Span(parent), requirement.Key, context, requirement.Hint);
        }
    }

    /// <summary>
    /// The catalog's conflicts (<see cref="SpecCatalog.Conflicts"/>), which the JSON Schema states too: each key given
    /// where the condition forbids it is reported at the key, marked as a catalog conflict (<see cref="DiagnosticInfo.CatalogConflict"/>).
    /// </summary>
    private void CheckConflicts(YamlMappingNode root)
    {
        string? ValueAt(string path) => Lookup(root, path)?.Text;
        foreach (var conflict in SpecCatalog.Conflicts)
        {
            if (!conflict.Given.Holds(ValueAt) || !conflict.When.Holds(ValueAt)) continue;
            string message = conflict.Shows is { } shown && ValueAt(shown) is { Length: > 0 } value
                ? $"{conflict.Message}; this spec's {shown.Substring(shown.LastIndexOf('.') + 1)} is {value}"
                : conflict.Message;
            _diagnostics.Add(DiagnosticInfo.Create(SeqDiagnostics.ConflictingOptions, _path, Span(Lookup(root, conflict.Path)!.Value.Key), message) with { CatalogConflict = true });
        }
    }

    /// <summary>
    /// The node at a key path ("" is the root, its own key) with its key and its scalar text ("" for a list or mapping);
    /// null when a key on the way is absent or not a mapping.
    /// </summary>
    private static (YamlNode Key, YamlNode Node, string Text)? Lookup(YamlMappingNode root, string path)
    {
        YamlNode node = root, keyNode = root;
        if (path.Length > 0)
        {
            foreach (var key in path.Split('.'))
            {
                if (node is not YamlMappingNode mapping) return null;
                var found = mapping.Children.FirstOrDefault(p => p.Key is YamlScalarNode k && k.Value == key);
                if (found.Key is null) return null;
                (keyNode, node) = (found.Key, found.Value);
            }
        }
        return (keyNode, node, node is YamlScalarNode scalar ? scalar.Value ?? "" : "");
    }

    private EquatableArray<LayerSpec>? ParseLayers(YamlNode node)
    {
        if (node is not YamlSequenceNode sequence)
        {
            Report(SeqDiagnostics.WrongType, Span(node), "layers", "the spec", "a list of layers", Describe(node));
            return null;
        }
        if (sequence.Children.Count == 0)
        {
            Report(SeqDiagnostics.EmptyLayers, Span(node), "an empty list");
            return null;
        }

        int before = _diagnostics.Count;
        var layers = new List<LayerSpec>();
        var counters = new Dictionary<string, int>();
        for (int i = 0; i < sequence.Children.Count; i++)
        {
            var layer = ParseLayer(sequence.Children[i], $"layers[{i}]", i, counters, allowName: true, namePrefix: "");
            if (layer is not null) layers.Add(layer);
        }
        return _diagnostics.Count == before ? layers.ToEquatableArray() : null;
    }

    /// <summary>
    /// Each layer becomes a field (its name) and a property (its name in PascalCase) of the generated class:
    /// neither may be a keyword, a member the class already has, or a member another layer already took.
    /// </summary>
    private void CheckLayerNames(string? className)
    {
        var owners = new Dictionary<string, (string Name, SourceSpan Span, string Where)>(StringComparer.Ordinal);
        foreach (var member in _members)
        {
            if (className is not null && GeneratedNames.LayerNameProblem(member.Name, className) is { } problem)
            {
                Report(SeqDiagnostics.InvalidName, member.Span, "name", problem, member.Name);
                continue;
            }
            var names = new[] { GeneratedNames.FieldName(member.Name), GeneratedNames.PropertyName(member.Name) }.Distinct().ToArray();
            var clash = names.FirstOrDefault(owners.ContainsKey);
            if (clash is not null)
            {
                var first = owners[clash];
                string how = first.Name == member.Name ? "" : $" by '{first.Name}': both give the generated member '{clash}'";
                Report(SeqDiagnostics.DuplicateLayerName, member.Span, member.Name, member.Where, $"{first.Where} (line {first.Span.DisplayLine})", how);
                continue;
            }
            foreach (var name in names) owners[name] = member;
        }
    }

    /// <summary>One layer entry; a block's lists of layers are read too, their layers' default names prefixed with <paramref name="namePrefix"/> ('branches_1_path1_', empty in the model's list).</summary>
    private LayerSpec? ParseLayer(YamlNode node, string where, int index, Dictionary<string, int> counters, bool allowName, string namePrefix)
    {
        YamlNode kindNode;
        YamlNode? body;
        if (node is YamlScalarNode scalar && !IsNull(scalar))
        {
            kindNode = scalar;
            body = null;
        }
        else if (node is YamlMappingNode entry && entry.Children.Count == 1)
        {
            var pair = entry.Children.First();
            kindNode = pair.Key;
            body = pair.Value;
        }
        else
        {
            string received = Describe(node);
            if (node is YamlMappingNode many && many.Children.Count > 1)
            {
                var keyNames = many.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).ToList();
                received = "a mapping with keys " + string.Join(", ", keyNames);
                if (keyNames.Count > 0 && SpecCatalog.FindLayer(keyNames[0] ?? "") is not null)
                    received += $" (indent the options under '{keyNames[0]}' by two more spaces)";
            }
            Report(SeqDiagnostics.MalformedLayer, Span(node), where, received);
            return null;
        }

        string kind = (kindNode as YamlScalarNode)?.Value ?? "";
        var def = SpecCatalog.FindLayer(kind);
        if (def is null)
        {
            string? guess = Text.ClosestMatch(kind, SpecCatalog.Layers.Select(l => l.Kind));
            Report(SeqDiagnostics.UnknownLayer, Span(kindNode), kindNode is YamlScalarNode ? kind : Describe(kindNode), where,
                guess is null ? "" : $" Did you mean '{guess}'?", string.Join(", ", SpecCatalog.Layers.Select(l => l.Kind)));
            return null;
        }

        string context = $"{kind} layer at {where}";
        var options = new List<OptionValue>();
        LayerSpec? inner = null;
        var pathNodes = new List<(OptionDef Option, SourceSpan KeySpan, YamlNode Node)>();
        int before = _diagnostics.Count;
        if (body is not null && !(body is YamlScalarNode nullBody && IsNull(nullBody)))
        {
            if (body is not YamlMappingNode mapping)
            {
                Report(SeqDiagnostics.WrongType, Span(body), kind, where, "a mapping of options such as '{ units: 32 }'", Describe(body));
                return null;
            }
            var keys = ReadMapping(mapping, def.Options, context, string.Join(", ", def.Options.Select(o => o.Name)));
            foreach (var pair in keys)
            {
                var option = def.Find(pair.Key)!;
                if (option.Type == OptionType.Layer)
                {
                    inner = ParseLayer(pair.Value.Value, $"'layer' of {context}", index, new Dictionary<string, int>(), allowName: false, namePrefix: "");
                    if (inner is not null && !inner.Definition.IsRecurrent)
                    {
                        Report(SeqDiagnostics.NotRecurrent, Span(pair.Value.Value), $"layers[{index}]", inner.Kind);
                        inner = null;
                    }
                    if (inner is not null) options.Add(new OptionValue(pair.Key, inner.Kind, pair.Value.Key.Span(this)));
                    continue;
                }
                if (option.Type is OptionType.LayerList or OptionType.LayerLists)
                {
                    pathNodes.Add((option, pair.Value.Key.Span(this), pair.Value.Value));
                    continue;
                }
                if (option.Name == "name" && !allowName) continue;
                if (ReadValue(option, pair.Value.Value, context) is { } value)
                {
                    if (value == NamedSizes.LabelsWord && _labelCount is null)
                        Report(SeqDiagnostics.ConflictingOptions, Span(pair.Value.Value),
                            $"'{option.Name}: {NamedSizes.LabelsWord}' stands for the label count of an episodes task; this spec has no 'episodes' section, so give a number");
                    options.Add(new OptionValue(pair.Key, value, pair.Value.Key.Span(this)));
                }
            }
        }

        foreach (var option in def.Options.Where(o => o.Required))
        {
            if (!options.Any(o => o.Key == option.Name) && !pathNodes.Any(p => p.Option == option) && _diagnostics.Count == before)
                Report(SeqDiagnostics.MissingKey, Span(kindNode), option.Name, context, option.Description);
        }
        counters.TryGetValue(kind, out int count);
        counters[kind] = ++count;
        string name = options.FirstOrDefault(o => o.Key == "name")?.Value ?? $"{namePrefix}{kind}_{count}";
        if (allowName)
        {
            _readableLayers.Add(new ReadableLayer(GeneratedNames.PropertyName(name), def.RuntimeType));
            _members.Add((name, options.FirstOrDefault(o => o.Key == "name")?.Span ?? Span(kindNode), where));
        }
        var paths = new List<PathSpec>();
        // In the definition's order, so a block finds its paths by position (a decomposition's trend, then seasonal).
        foreach (var option in def.Options.Where(o => o.Type is OptionType.LayerList or OptionType.LayerLists))
        {
            if (pathNodes.FirstOrDefault(p => p.Option == option) is not { Node: not null } entry) continue;
            var read = ParsePaths(def, option, entry.Node, name, $"'{option.Name}' of {context}");
            if (read is null) continue;
            paths.AddRange(read);
            string text = option.Type == OptionType.LayerList ? KindList(read[0]) : "[" + string.Join(", ", read.Select(KindList)) + "]";
            options.Add(new OptionValue(option.Name, text, entry.KeySpan));
        }
        if (_diagnostics.Count != before) return null;

        var settings = def.Bind(new LayerOptionReader(options, inner, _labelCount));
        var layer = new LayerSpec(index, kind, name, options.ToEquatableArray(), inner, settings, Span(kindNode)) { Paths = paths.ToEquatableArray() };
        if (def.Conflict(settings, context) is { } conflict)
            Report(SeqDiagnostics.ConflictingOptions, layer.Find(conflict.Key.Name)!.Span, conflict.Message);
        return layer;
    }

    /// <summary>A block's list of layers (<see cref="OptionType.LayerList"/>) or list of such lists (<see cref="OptionType.LayerLists"/>, at least two); null after reporting.</summary>
    private List<PathSpec>? ParsePaths(LayerDef block, OptionDef option, YamlNode node, string blockName, string where)
    {
        if (node is not YamlSequenceNode sequence || option.Type == OptionType.LayerLists
            && (sequence.Children.Count < 2 || sequence.Children.Any(c => c is not YamlSequenceNode)))
        {
            Report(SeqDiagnostics.WrongType, Span(node), option.Name, where, option.TypeText, node is YamlSequenceNode list ? $"a list of {list.Children.Count} {(list.Children.Any(c => c is not YamlSequenceNode) ? "entries that are not all lists" : "list")}" : Describe(node));
            return null;
        }
        var lists = option.Type == OptionType.LayerList ? new[] { sequence } : sequence.Children.Cast<YamlSequenceNode>().ToArray();
        var paths = new List<PathSpec>();
        int before = _diagnostics.Count;
        for (int p = 0; p < lists.Length; p++)
        {
            string label = block.PathLabel(option, p);
            string prefix = blockName + "_" + (label.Length == 0 ? "" : label + "_");
            string place = option.Type == OptionType.LayerList ? where : $"{where}[{p}]";
            var counters = new Dictionary<string, int>();
            var layers = new List<LayerSpec>();
            for (int i = 0; i < lists[p].Children.Count; i++)
            {
                if (ParseLayer(lists[p].Children[i], $"{place}[{i}]", i, counters, allowName: true, namePrefix: prefix) is { } layer)
                    layers.Add(layer);
            }
            paths.Add(new PathSpec(label, layers.ToEquatableArray()));
        }
        return _diagnostics.Count == before ? paths : null;
    }

    /// <summary>A path's layer kinds, for the block's one-line spec text: "[flatten, dense]".</summary>
    private static string KindList(PathSpec path) => "[" + string.Join(", ", path.Layers.Select(l => l.Kind)) + "]";

    // ---- experiment sections ---------------------------------------------------------------------

    private void ReadSection(YamlMappingNode mapping, OptionDef section, string path, string context, List<OptionValue> values)
    {
        var keys = ReadMapping(mapping, section.Children, context, string.Join(", ", section.Children.Select(c => c.Name)));
        foreach (var pair in keys)
        {
            var def = section.Children.First(c => c.Name == pair.Key);
            string childPath = path + "." + pair.Key;
            var node = pair.Value.Value;
            var keySpan = pair.Value.Key.Span(this);
            switch (def.Type)
            {
                case OptionType.Section:
                    if (node is YamlMappingNode child)
                        ReadSection(child, def, childPath, $"'{childPath}'", values);
                    else
                        Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, "a mapping", Describe(node));
                    break;
                case OptionType.Variant:
                    ReadVariant(node, def, childPath, context, values, keySpan);
                    break;
                case OptionType.NumberList:
                    if (node is YamlSequenceNode numbers && numbers.Children.Count > 0
                        && numbers.Children.All(c => c is YamlScalarNode n && CoreScalar.Resolve(n) is { IsNumber: true } v
                                                     && !double.IsNaN(v.Number) && !double.IsInfinity(v.Number) && InRange(def, v.Number)))
                        values.Add(new OptionValue(childPath, string.Join(",", numbers.Children.Cast<YamlScalarNode>().Select(c => Text.FormatDouble(CoreScalar.Resolve(c).Number))), keySpan));
                    else
                        Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, Describe(node));
                    break;
                case OptionType.EntryList:
                    ReadEntries(node, def, childPath, context, values);
                    break;
                case OptionType.TextList:
                    if (node is YamlSequenceNode list && list.Children.All(c => c is YamlScalarNode s && CoreScalar.Resolve(s).Kind == ScalarKind.String) && list.Children.Count > 0)
                        values.Add(new OptionValue(childPath, SettingValues.EncodeList(list.Children.Cast<YamlScalarNode>().Select(c => c.Value ?? "")), keySpan));
                    else
                        Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, Describe(node));
                    break;
                case OptionType.Columns:
                    if (ReadColumns(def, node, context) is { } columns) values.Add(new OptionValue(childPath, columns, keySpan));
                    break;
                case OptionType.Split:
                    if (ReadSplit(def, node, context) is { } split) values.Add(new OptionValue(childPath, split, keySpan));
                    break;
                default:
                    if (ReadValue(def, node, context) is { } value) values.Add(new OptionValue(childPath, value, keySpan));
                    break;
            }
        }
        foreach (var required in section.Children.Where(c => c.Required && !keys.ContainsKey(c.Name)))
            Report(SeqDiagnostics.MissingKey, Span(mapping), required.Name, context, required.Description);
    }

    /// <summary>
    /// Columns: the plain word 'all' as itself (<see cref="SettingValues.AllColumns"/>), a name or a list of names as an
    /// encoded list (<see cref="SettingValues.EncodeList"/>); null after reporting anything else.
    /// </summary>
    private string? ReadColumns(OptionDef def, YamlNode node, string context)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar))
        {
            bool plain = scalar.Style == ScalarStyle.Plain || scalar.Style == ScalarStyle.Any;
            return plain && scalar.Value == SettingValues.AllColumns ? SettingValues.AllColumns : SettingValues.EncodeList(new[] { scalar.Value ?? "" });
        }
        if (node is YamlSequenceNode list && list.Children.Count > 0 && list.Children.All(c => c is YamlScalarNode s && !IsNull(s)))
            return SettingValues.EncodeList(list.Children.Cast<YamlScalarNode>().Select(c => c.Value ?? ""));
        Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, node is YamlSequenceNode ? "an empty list" : Describe(node));
        return null;
    }

    /// <summary>
    /// A list of one-key mappings '- name: { options }'. Entry i is stored as '<paramref name="path"/>.i' (its name, at
    /// the name's span) and its options as '<paramref name="path"/>.i.option'.
    /// </summary>
    private void ReadEntries(YamlNode node, OptionDef def, string path, string context, List<OptionValue> values)
    {
        if (node is not YamlSequenceNode list || list.Children.Count == 0)
        {
            Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, node is YamlSequenceNode ? "an empty list" : Describe(node));
            return;
        }
        string expected = string.Join(", ", def.Children.Select(c => c.Name));
        for (int i = 0; i < list.Children.Count; i++)
        {
            string where = $"'{path}[{i}]'";
            if (list.Children[i] is not YamlMappingNode entry || entry.Children.Count != 1
                || entry.Children.First().Key is not YamlScalarNode nameNode || IsNull(nameNode) || string.IsNullOrEmpty(nameNode.Value))
            {
                Report(SeqDiagnostics.WrongType, Span(list.Children[i]), def.Name, context, def.TypeText, $"{Describe(list.Children[i])} at {where}");
                continue;
            }
            string entryPath = path + "." + i.ToString(CultureInfo.InvariantCulture);
            values.Add(new OptionValue(entryPath, nameNode.Value!, Span(nameNode)));
            var body = entry.Children.First().Value;
            if (body is not YamlMappingNode options)
            {
                Report(SeqDiagnostics.WrongType, Span(body), nameNode.Value!, where, "a mapping of options such as '{ column: In-hospital_death }'", Describe(body));
                continue;
            }
            string entryContext = $"'{nameNode.Value}' at {where}";
            ReadSection(options, def, entryPath, entryContext, values);
        }
    }

    /// <summary>A variant is its name alone ('rmsprop') or a one-key mapping with options ('{ adam: { learning_rate: 0.01 } }').</summary>
    private void ReadVariant(YamlNode node, OptionDef def, string path, string context, List<OptionValue> values, SourceSpan keySpan)
    {
        YamlNode nameNode = node;
        YamlNode? body = null;
        if (node is YamlMappingNode mapping && mapping.Children.Count == 1)
        {
            nameNode = mapping.Children.First().Key;
            body = mapping.Children.First().Value;
        }
        if (nameNode is not YamlScalarNode nameScalar || IsNull(nameScalar))
        {
            Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, Describe(node));
            return;
        }
        string name = nameScalar.Value ?? "";
        var variant = def.Variants.FirstOrDefault(v => v.Name == name);
        if (variant is null)
        {
            string? guess = Text.ClosestMatch(name, def.Variants.Select(v => v.Name));
            Report(SeqDiagnostics.NotAllowed, Span(nameNode), def.Name, context,
                string.Join(", ", def.Variants.Select(v => v.Name)) + (guess is null ? "" : $" (did you mean '{guess}'?)"), name);
            return;
        }
        values.Add(new OptionValue(path, name, keySpan));
        if (body is null || body is YamlScalarNode nullBody && IsNull(nullBody)) return;
        string variantContext = $"{def.Name} '{name}'";
        if (body is YamlScalarNode scalarBody && variant.Options.Count == 1)
        {
            // A variant with one option may give it directly: '{ first_last: 6 }' is '{ first_last: { steps: 6 } }'.
            if (ReadValue(variant.Options[0], scalarBody, variantContext) is { } single)
                values.Add(new OptionValue(path + "." + variant.Options[0].Name, single, Span(scalarBody)));
            return;
        }
        if (body is not YamlMappingNode options)
        {
            Report(SeqDiagnostics.WrongType, Span(body), name, context, "a mapping of options", Describe(body));
            return;
        }
        var keys = ReadMapping(options, variant.Options, variantContext, variant.Options.Count == 0 ? "(no options)" : string.Join(", ", variant.Options.Select(o => o.Name)));
        foreach (var pair in keys)
        {
            var option = variant.Options.First(o => o.Name == pair.Key);
            if (ReadValue(option, pair.Value.Value, variantContext) is { } value)
                values.Add(new OptionValue(path + "." + pair.Key, value, pair.Value.Key.Span(this)));
        }
    }

    private string? ReadSplit(OptionDef def, YamlNode node, string context)
    {
        if (node is YamlSequenceNode pair && pair.Children.Count == 2
            && pair.Children[0] is YamlScalarNode startNode && pair.Children[1] is YamlScalarNode endNode
            && CoreScalar.Resolve(startNode).WholeNumber is { } start && start >= 0
            && (IsEnd(endNode) || CoreScalar.Resolve(endNode).WholeNumber >= 0))
        {
            var end = IsEnd(endNode) ? (System.Numerics.BigInteger?)null : CoreScalar.Resolve(endNode).WholeNumber;
            if (start > MaxInteger || end > MaxInteger)
            {
                Report(SeqDiagnostics.TooLarge, Span(node), def.Name, context, MaxInteger, $"[{startNode.Value}, {endNode.Value}]");
                return null;
            }
            if (end <= start)
            {
                Report(SeqDiagnostics.OutOfRange, Span(node), def.Name, context, "[start, end] with end > start", $"[{startNode.Value}, {endNode.Value}]");
                return null;
            }
            return start.ToString(CultureInfo.InvariantCulture) + "," + (end?.ToString(CultureInfo.InvariantCulture) ?? "end");
        }
        Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, Describe(node));
        return null;

        static bool IsEnd(YamlScalarNode node) => CoreScalar.Resolve(node) is { Kind: ScalarKind.String, Text: "end" };
    }


    // ---- keys and values -------------------------------------------------------------------------

    private sealed class KeyNode
    {
        public KeyNode(YamlNode node) => Node = node;
        public YamlNode Node { get; }
        public SourceSpan Span(SpecParser parser) => parser.Span(Node);
    }

    private Dictionary<string, KeyValuePair<KeyNode, YamlNode>> ReadMapping(YamlMappingNode mapping, IReadOnlyList<OptionDef> allowed, string context, string expected)
    {
        var result = new Dictionary<string, KeyValuePair<KeyNode, YamlNode>>();
        foreach (var pair in mapping.Children)
        {
            if (pair.Key is not YamlScalarNode keyNode || keyNode.Value is null)
            {
                Report(SeqDiagnostics.WrongType, Span(pair.Key), "key", context, "a plain name", Describe(pair.Key));
                continue;
            }
            string key = keyNode.Value;
            if (!allowed.Any(o => o.Name == key))
            {
                var sections = SpecCatalog.SectionsHolding(key);
                string? guess = Text.ClosestMatch(key, allowed.Select(o => o.Name));
                string hint = sections.Count > 0 ? $" '{key}' belongs in the {string.Join(" or ", sections.Select(p => $"'{p}'"))} section."
                    : guess is null ? "" : $" Did you mean '{guess}'?";
                Report(SeqDiagnostics.UnknownKey, Span(keyNode), key, context, hint, expected);
                continue;
            }
            result[key] = new KeyValuePair<KeyNode, YamlNode>(new KeyNode(keyNode), pair.Value);
        }
        return result;
    }

    private string? ReadIdentifier(Dictionary<string, KeyValuePair<KeyNode, YamlNode>> keys, string key, string context, bool allowDots, bool required, YamlNode parent, out SourceSpan span)
    {
        span = Span(parent);
        if (!keys.TryGetValue(key, out var entry))
        {
            if (required)
                Report(SeqDiagnostics.MissingKey, Span(parent), key, context, SpecCatalog.RootOptions.First(o => o.Name == key).Description);
            return null;
        }
        span = Span(entry.Value);
        string? value = ScalarText(entry.Value, key, context);
        if (value is null) return null;
        string? problem = allowDots
            ? GeneratedNames.NamespaceProblem(value)
            : Text.IsIdentifier(value) ? GeneratedNames.ModelNameProblem(value) : "a name of letters, digits and '_' that starts with a letter, such as 'WeatherGru'";
        if (problem is not null)
        {
            Report(SeqDiagnostics.InvalidName, Span(entry.Value), key, problem, value);
            return null;
        }
        return value;
    }

    private string? ScalarText(YamlNode node, string key, string context)
    {
        if (node is YamlScalarNode scalar && !IsNull(scalar))
        {
            var core = CoreScalar.Resolve(scalar);
            return core.Kind == ScalarKind.String ? core.Text : NotText(key, context, "a string", scalar, core);
        }
        Report(SeqDiagnostics.WrongType, Span(node), key, context, "a string", Describe(node));
        return null;
    }

    /// <summary>Checks one value against its definition; returns it normalized, or null after reporting.</summary>
    private string? ReadValue(OptionDef def, YamlNode node, string context)
    {
        if (node is not YamlScalarNode scalar)
        {
            Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, Describe(node));
            return null;
        }
        string raw = scalar.Value ?? "";
        var core = CoreScalar.Resolve(scalar);
        bool word = core.Kind == ScalarKind.String;
        if (core.Kind == ScalarKind.Null)
        {
            if (def.Nullable) return "null";
            Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, "null");
            return null;
        }

        if (def.Type == OptionType.IntegerOrAll && raw == "all" && word) return "all";
        if (def.AllowsVocab && word && NamedSizes.Parse(raw) is not null) return raw;
        if (def.AllowsLabels && word && raw == NamedSizes.LabelsWord) return raw;
        switch (def.Type)
        {
            case OptionType.Integer:
            case OptionType.IntegerOrAll:
            {
                if (core.WholeNumber is not { } whole)
                {
                    Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, Quote(scalar));
                    return null;
                }
                if (whole > MaxInteger)
                {
                    Report(SeqDiagnostics.TooLarge, Span(node), def.Name, context, MaxInteger, raw);
                    return null;
                }
                if (whole < long.MinValue || !InRange(def, (double)whole))
                {
                    Report(SeqDiagnostics.OutOfRange, Span(node), def.Name, context, $"an integer {def.RangeText}{(def.RangeText.Length > 0 ? " and " : "")}<= {MaxInteger}", raw);
                    return null;
                }
                return whole.ToString(CultureInfo.InvariantCulture);
            }
            case OptionType.Number:
            {
                if (!core.IsNumber || double.IsNaN(core.Number) || double.IsInfinity(core.Number))
                {
                    Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, Quote(scalar));
                    return null;
                }
                if (!InRange(def, core.Number))
                {
                    Report(SeqDiagnostics.OutOfRange, Span(node), def.Name, context, $"a number {def.RangeText}", raw);
                    return null;
                }
                return Text.FormatDouble(core.Number);
            }
            case OptionType.Boolean:
            {
                if (core.Kind != ScalarKind.Boolean)
                {
                    Report(SeqDiagnostics.WrongType, Span(node), def.Name, context, def.TypeText, Quote(scalar));
                    return null;
                }
                return raw.ToLowerInvariant();
            }
            case OptionType.Choice:
            {
                if (core.Kind != ScalarKind.String || !def.Choices.Contains(raw))
                {
                    string? guess = Text.ClosestMatch(raw, def.Choices);
                    Report(SeqDiagnostics.NotAllowed, Span(node), def.Name, context, string.Join(", ", def.Choices) + (guess is null ? "" : $" (did you mean '{guess}'?)"), raw);
                    return null;
                }
                return raw;
            }
            case OptionType.Identifier:
            {
                if (core.Kind != ScalarKind.String) return NotText(def.Name, context, def.TypeText, scalar, core);
                if (!Text.IsIdentifier(raw))
                {
                    Report(SeqDiagnostics.InvalidName, Span(node), def.Name, "a name of letters, digits and '_' that starts with a letter", raw);
                    return null;
                }
                return raw;
            }
            default:
                return core.Kind == ScalarKind.String ? raw : NotText(def.Name, context, def.TypeText, scalar, core);
        }
    }

    /// <summary>
    /// A text value that YAML reads as a number, boolean or null ('description: 123'): an editor validating the
    /// schema sees no string there either, so the build asks for quotes rather than taking the digits as text.
    /// </summary>
    private string? NotText(string key, string context, string expected, YamlScalarNode scalar, CoreScalar core)
    {
        string kind = core.Kind switch { ScalarKind.Boolean => "a boolean", ScalarKind.Null => "null", _ => "a number" };
        Report(SeqDiagnostics.WrongType, Span(scalar), key, context, expected, $"{Quote(scalar)}, which YAML reads as {kind} (quote it for text: \"{core.Text}\")");
        return null;
    }

    private static bool InRange(OptionDef def, double value)
    {
        if (def.Minimum is double min && (def.MinimumExclusive ? value <= min : value < min)) return false;
        if (def.Maximum is double max && (def.MaximumExclusive ? value >= max : value > max)) return false;
        return true;
    }

    private static bool IsNull(YamlScalarNode scalar) => CoreScalar.Resolve(scalar).Kind == ScalarKind.Null;

    private static string Quote(YamlScalarNode scalar)
        => scalar.Style == ScalarStyle.Plain ? $"'{scalar.Value}'" : $"the string \"{scalar.Value}\"";

    private static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode s when IsNull(s) => "null",
        YamlScalarNode s => Quote(s),
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ => "an alias",
    };

    private static string Unwrap(YamlException e)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (…): "; the diagnostic carries the place already.
        string message = e.InnerException is YamlException inner && !string.IsNullOrEmpty(inner.Message) ? inner.Message : e.Message;
        int cut = message.LastIndexOf("): ", StringComparison.Ordinal);
        return cut >= 0 && message.StartsWith("(", StringComparison.Ordinal) ? message.Substring(cut + 3) : message;
    }

    private static SourceSpan LastGoodPosition(string text)
    {
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        Mark last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
                if (parser.Current is { } current) last = current.End;
        }
        catch (Exception e) when (e is YamlException || e is InvalidOperationException || e is ArgumentException)
        {
            if (e is YamlException y) return ToSpan(y.Start, y.End);
        }
        return ToSpan(last, last);
    }

    /// <summary>The lines of the text with the offset each starts at.</summary>
    private static List<(int Start, string Text)> Lines(string text)
    {
        var lines = new List<(int, string)>();
        int start = 0;
        for (int i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '\n') continue;
            lines.Add((start, text.Substring(start, i - start).TrimEnd('\r')));
            start = i + 1;
        }
        return lines;
    }

    private static int Indentation(string line)
    {
        int i = 0;
        while (i < line.Length && (line[i] == ' ' || line[i] == '\t')) i++;
        return i;
    }

    private static bool IsBlankOrComment(string line) => line.Trim().Length == 0 || line.TrimStart().StartsWith("#", StringComparison.Ordinal);

    /// <summary>
    /// Where a tab in the indentation is, for YamlDotNet's tab errors (it reports them at the start of the
    /// document or at the end of the line before): the first indenting tab from the reported line on, else anywhere.
    /// </summary>
    private static SourceSpan? TabInIndentation(string text, SourceSpan reported, string message)
    {
        if (message.IndexOf("tab", StringComparison.OrdinalIgnoreCase) < 0) return null;
        var lines = Lines(text);
        foreach (int from in new[] { Math.Min(reported.Line, lines.Count - 1), 0 })
        {
            for (int n = Math.Max(0, from); n < lines.Count; n++)
            {
                string line = lines[n].Text;
                int tab = line.IndexOf('\t');
                if (tab < 0 || tab >= Indentation(line) || IsBlankOrComment(line)) continue;
                return new SourceSpan(lines[n].Start + tab, lines[n].Start + tab + 1, n, tab, n, tab + 1);
            }
        }
        return null;
    }

    /// <summary>
    /// A key whose indentation matches no mapping above it (YamlDotNet: "did not find expected key"): reported at
    /// the key, with its indentation and that of the line above.
    /// </summary>
    private static (SourceSpan Span, string Message)? Misindented(string text, SourceSpan reported, string message)
    {
        if (message.IndexOf("did not find expected", StringComparison.OrdinalIgnoreCase) < 0
            && message.IndexOf("found invalid mapping", StringComparison.OrdinalIgnoreCase) < 0) return null;
        var lines = Lines(text);
        int n = reported.Line;
        if (n <= 0 || n >= lines.Count || IsBlankOrComment(lines[n].Text)) return null;
        int above = n - 1;
        while (above >= 0 && IsBlankOrComment(lines[above].Text)) above--;
        if (above < 0) return null;
        string line = lines[n].Text;
        int indent = Indentation(line), aboveIndent = Indentation(lines[above].Text);
        int colon = line.IndexOf(':', indent);
        string key = (colon > indent ? line.Substring(indent, colon - indent) : line.Substring(indent)).Trim();
        if (key.Length > 40) key = key.Substring(0, 40) + "…";
        static string Spaces(int count) => count == 1 ? "1 space" : $"{count} spaces";
        return (new SourceSpan(lines[n].Start + indent, lines[n].Start + indent + key.Length, n, indent, n, indent + key.Length),
            $"'{key}' is indented by {Spaces(indent)} and line {above + 1} by {Spaces(aboveIndent)}; expected the indentation of a key above it (keys of one mapping line up; a nested mapping indents further than its key)");
    }

    private static string KeyAt(string text, SourceSpan span)
    {
        int end = span.Start;
        while (end < text.Length && text[end] != ':' && text[end] != '\n') end++;
        return span.Start < text.Length ? text.Substring(span.Start, end - span.Start).Trim() : "?";
    }

    private SourceSpan Span(YamlNode node) => ToSpan(node.Start, node.End);

    private static SourceSpan ToSpan(Mark start, Mark end)
    {
        int startLine = (int)Math.Max(0, start.Line - 1), startColumn = (int)Math.Max(0, start.Column - 1);
        int endLine = (int)Math.Max(0, end.Line - 1), endColumn = (int)Math.Max(0, end.Column - 1);
        if (end.Index < start.Index) { endLine = startLine; endColumn = startColumn; }
        return new SourceSpan((int)start.Index, (int)Math.Max(start.Index, end.Index), startLine, startColumn, endLine, endColumn);
    }

    private void Report(Microsoft.CodeAnalysis.DiagnosticDescriptor descriptor, SourceSpan span, params object[] args)
        => _diagnostics.Add(DiagnosticInfo.Create(descriptor, _path, span, args));
}
