using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace SeqDsl.Generator.Diagnostics;

/// <summary>
/// Every diagnostic the generator reports. Ids come in bands: SEQ1xxx the YAML itself, SEQ2xxx the spec's
/// keys and values (the schema), SEQ3xxx shapes, SEQ9xxx the generator. Messages follow Keras: the key,
/// the value received, and what was expected.
/// </summary>
internal static class SeqDiagnostics
{
    private const string ParseCategory = "SeqDsl.Parse";
    private const string SchemaCategory = "SeqDsl.Schema";
    private const string ShapeCategory = "SeqDsl.Shape";

    public static readonly DiagnosticDescriptor YamlSyntax = Error("SEQ1001", "YAML syntax error",
        "YAML syntax error: {0}", ParseCategory);

    public static readonly DiagnosticDescriptor RootNotMapping = Error("SEQ1002", "Spec is not a mapping",
        "A SeqDsl spec must be a YAML mapping with the keys 'model', 'input' and 'layers'; received {0}", ParseCategory);

    public static readonly DiagnosticDescriptor DuplicateKey = Error("SEQ1003", "Duplicate key",
        "Key '{0}' appears more than once in {1}", ParseCategory);

    public static readonly DiagnosticDescriptor TooDeepOrTooLarge = Error("SEQ1004", "Document too deep or too large",
        "The spec is {0} (maximum {1}); received {2}", ParseCategory);

    public static readonly DiagnosticDescriptor UnknownKey = Error("SEQ2001", "Unknown key",
        "Unknown key '{0}' in {1}.{2} Expected one of: {3}", SchemaCategory);

    public static readonly DiagnosticDescriptor MissingKey = Error("SEQ2002", "Missing required key",
        "Missing required key '{0}' in {1}: {2}", SchemaCategory);

    public static readonly DiagnosticDescriptor WrongType = Error("SEQ2003", "Value has the wrong type",
        "'{0}' in {1} must be {2}; received {3}", SchemaCategory);

    public static readonly DiagnosticDescriptor OutOfRange = Error("SEQ2004", "Value out of range",
        "'{0}' in {1} must be {2}; received {3}", SchemaCategory);

    public static readonly DiagnosticDescriptor NotAllowed = Error("SEQ2005", "Value not allowed",
        "'{0}' in {1} must be one of {2}; received '{3}'", SchemaCategory);

    public static readonly DiagnosticDescriptor UnknownLayer = Error("SEQ2006", "Unknown layer type",
        "Unknown layer type '{0}' at {1}.{2} Expected one of: {3}", SchemaCategory);

    public static readonly DiagnosticDescriptor MalformedLayer = Error("SEQ2007", "Malformed layer entry",
        "{0} must be a mapping with exactly one key naming the layer type, e.g. '- gru: {{ units: 32 }}'; received {1}", SchemaCategory);

    public static readonly DiagnosticDescriptor InvalidName = Error("SEQ2008", "Invalid name",
        "'{0}' must be {1}; received '{2}'", SchemaCategory);

    public static readonly DiagnosticDescriptor DuplicateLayerName = Error("SEQ2009", "Duplicate layer name",
        "Layer name '{0}' at {1} is already used at {2}{3}; layer names become field and property names and weight keys, so they must be unique", SchemaCategory);

    public static readonly DiagnosticDescriptor DuplicateModel = Error("SEQ2010", "Duplicate model name",
        "Model '{0}' is also defined in {1}; each spec must name a different model", SchemaCategory);

    public static readonly DiagnosticDescriptor EmptyLayers = Error("SEQ2011", "No layers",
        "'layers' must list at least one layer; received {0}", SchemaCategory);

    public static readonly DiagnosticDescriptor ConflictingOptions = Error("SEQ2012", "Conflicting options",
        "{0}", SchemaCategory);

    public static readonly DiagnosticDescriptor InvalidSplits = Error("SEQ2013", "Invalid splits",
        "{0}", SchemaCategory);

    public static readonly DiagnosticDescriptor UnknownColumn = Error("SEQ2014", "Unknown column",
        "'{0}' in {1} names '{2}', which is not {3}.{4} Expected one of: {5}", SchemaCategory);

    public static readonly DiagnosticDescriptor TooLarge = Error("SEQ2015", "Value too large",
        "'{0}' in {1} is too large (maximum {2}); received {3}", SchemaCategory);

    public static readonly DiagnosticDescriptor DuplicateLabelName = Error("SEQ2016", "Duplicate label name",
        "Label name '{0}' is already used at {1}; labels are reported, monitored and saved by name, so they must be unique (scored and auxiliary together)", SchemaCategory);

    public static readonly DiagnosticDescriptor LabelIsInput = Error("SEQ2017", "Label derived from an input",
        "Label '{0}' is derived from '{1}', which 'include' makes an input: the model would see its own target. Leave '{1}' out of 'include' (a static a label comes from is otherwise left out of the inputs)", SchemaCategory);

    public static readonly DiagnosticDescriptor SweepSampleIsGrid = Warning("SEQ2018", "Sweep sample covers the whole grid",
        "'count' in 'sweep.strategy' random is {0}, and the grid has {1} combinations: the sweep runs the whole grid (use 'strategy: grid', or a smaller count)", SchemaCategory);

    public static readonly DiagnosticDescriptor NeedsTimeAxis = Error("SEQ3001", "Layer needs a time axis",
        "Layer '{0}' ({1}) expects a 3D input (batch, time, features) but receives {2}.{3}", ShapeCategory);

    public static readonly DiagnosticDescriptor FlattenOpenTime = Error("SEQ3002", "Flatten over an open time length",
        "Layer '{0}' (flatten) needs a fixed time length, but its input {1} has an open time axis. Set 'time' under 'input'.", ShapeCategory);

    public static readonly DiagnosticDescriptor TimeTooShort = Error("SEQ3003", "Time axis shrinks below 1",
        "Layer '{0}' ({1}) shrinks the time axis from {2} to {3}; it must stay at least 1. {4}", ShapeCategory);

    public static readonly DiagnosticDescriptor NotRecurrent = Error("SEQ3004", "Bidirectional around a non-recurrent layer",
        "'layer' in bidirectional layer '{0}' must be one of gru, lstm, simple_rnn; received '{1}'", ShapeCategory);

    public static readonly DiagnosticDescriptor TokenInput = Error("SEQ3005", "Token ids need an embedding",
        "Layer '{0}' ({1}) {2}", ShapeCategory);

    public static readonly DiagnosticDescriptor InputMismatch = Error("SEQ3006", "Input does not match the data",
        "'{0}' under 'input' is {1}, but the data gives {2} ({3})", ShapeCategory);

    public static readonly DiagnosticDescriptor OutputMismatch = Error("SEQ3007", "Output does not match the targets",
        "The model's output {0} does not match the targets (None, {1}): {2}", ShapeCategory);

    public static readonly DiagnosticDescriptor SizeTooLarge = Error("SEQ3008", "Layer too large",
        "Layer '{0}' ({1}) is too large: {2} (maximum {3}). Use fewer units, filters or time steps", ShapeCategory);

    public static readonly DiagnosticDescriptor OutputNotLogits = Error("SEQ3009", "Output is not logits",
        "The last layer '{0}' ({1}) {2}: an episodes task trains on logits with binary cross-entropy, and the runtime applies the sigmoid for predictions. End with a dense layer without an activation (linear)", ShapeCategory);

    public static readonly DiagnosticDescriptor PaddedRecords = Error("SEQ3010", "Layer cannot read padded records",
        "Layer '{0}' ({1}) cannot read an episodes task's records: they are padded to the longest record of each batch, and {2}. Use recurrent, bidirectional, dense and dropout layers, or a flat representation (summary, first_last)", ShapeCategory);

    public static readonly DiagnosticDescriptor NormalizationUnsupported = Error("SEQ3011", "Instance normalization cannot wrap the model",
        "'{0}' cannot wrap this model: {1}", ShapeCategory);

    public static readonly DiagnosticDescriptor BlockShapes = Error("SEQ3012", "Block cannot merge its paths",
        "Block '{0}' ({1}) cannot {2}: {3}", ShapeCategory);

    public static readonly DiagnosticDescriptor ChannelsUnreadable = Error("SEQ3013", "Layer cannot read its input's channels",
        "Layer '{0}' ({1}) {2}: {3}", ShapeCategory);

    public static readonly DiagnosticDescriptor InternalError = Error("SEQ9001", "Internal generator error",
        "SeqDsl could not process this spec because of an internal error ({0}: {1}); please report it with the spec", "SeqDsl.Generator");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = typeof(SeqDiagnostics)
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
        .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
        .ToDictionary(d => d.Id);

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Error(string id, string title, string message, string category)
        => new(id, title, message, category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static DiagnosticDescriptor Warning(string id, string title, string message, string category)
        => new(id, title, message, category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
}
