using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using SeqDsl.Generator.Helpers;

namespace SeqDsl.Generator.Model;

/// <summary>
/// The C# names a spec turns into: the class from 'model', the namespace from 'namespace', and for each layer
/// a field (its name as written: TorchSharp registers the module under it) and a property (PascalCase).
/// A name the generated class already uses, or inherits from TorchSharp's Module, would not compile or would
/// silently hide a member, so the parser rejects it at the spec's line instead.
/// </summary>
internal static class GeneratedNames
{
    /// <summary>
    /// Members the emitters write into every model class (ModelEmitter, ExperimentEmitter).
    /// GeneratedNamesTests compiles generated classes and fails when one declares a member not listed here.
    /// </summary>
    public static readonly IReadOnlyList<string> GeneratedMembers = new[]
    {
        "ModelName", "SpecFile", "VocabularySize", "InputFeatures", "InputTime", "ParameterCount", "ParameterCountFor",
        "KerasParameterCount", "KerasParameterCountFor", "Layers", "LayersFor", "forward", "Logits", "LayerModules",
        "Summary", "Experiment", "ExperimentWithoutSweep", "ForwardPerChannel", "Wrapping", "StaticFeatures",
    };

    /// <summary>
    /// Public and protected members of TorchSharp's <c>Module&lt;Tensor, Tensor&gt;</c> and its base classes.
    /// GeneratedNamesTests reflects over the referenced TorchSharp and fails when it has a member not listed here.
    /// </summary>
    public static readonly IReadOnlyList<string> InheritedMembers = new[]
    {
        "_deviceIndex", "_deviceType", "_internal_buffers", "_internal_params", "_internal_submodules",
        "_named_buffers", "_named_parameters", "_parameters", "_to", "_toEpilog", "add_module", "apply", "buffers",
        "call", "children", "ClearModules", "ConditionallyRegisterBuffer", "ConditionallyRegisterParameter", "Create",
        "Dispose", "Equals", "eval", "Finalize", "forward", "get_buffer", "get_parameter", "GetDefaultDeviceAndType",
        "GetHashCode", "GetName", "GetType", "has_buffer", "has_parameter", "HookRemover", "HType", "load",
        "load_state_dict", "MemberwiseClone", "module_post_hooks", "module_pre_hooks", "modules", "name",
        "named_buffers", "named_children", "named_modules", "named_parameters", "parameters", "post_hooks",
        "pre_hooks", "ReferenceEquals", "register_buffer", "register_forward_hook", "register_forward_pre_hook",
        "register_module", "register_parameter", "RegisterComponents", "ReplaceBuffer", "ReplaceParameter", "save",
        "save_state_dict", "state_dict", "ToString", "train", "training", "zero_grad",
    };

    /// <summary>Accessor methods the compiler reserves for each property and event (CS0082).</summary>
    private static readonly string[] s_accessorPrefixes = { "get_", "set_", "add_", "remove_" };

    private static readonly HashSet<string> s_reserved = new(GeneratedMembers.Concat(InheritedMembers), StringComparer.Ordinal);

    /// <summary>Namespace segments the generated code needs for itself: the project's experiment list is a class of this name.</summary>
    private static readonly HashSet<string> s_reservedNamespaceSegments = new(StringComparer.Ordinal) { "SeqDslExperiments", "global" };

    public static string ClassName(string modelName)
    {
        string pascal = Text.ToPascalCase(modelName);
        return pascal.EndsWith("Model", StringComparison.Ordinal) ? pascal : pascal + "Model";
    }

    public static string FieldName(string layerName) => layerName;

    public static string PropertyName(string layerName) => Text.ToPascalCase(layerName);

    /// <summary>Why a model name cannot be used (its class name would not be an identifier), or null.</summary>
    public static string? ModelNameProblem(string modelName)
        => IsIdentifier(ClassName(modelName)) ? null : $"a name whose class name '{ClassName(modelName)}' is a C# identifier (start with a letter)";

    /// <summary>Why a layer name cannot be used in the class <paramref name="className"/>, or null when it can.</summary>
    public static string? LayerNameProblem(string layerName, string className)
    {
        string field = FieldName(layerName), property = PropertyName(layerName);
        if (!IsIdentifier(field)) return $"a C# identifier that is not a keyword ('{field}' is a keyword)";
        if (!IsIdentifier(property)) return $"a name whose property name '{property}' is a C# identifier (start with a letter)";
        foreach (var member in new[] { field, property }.Distinct())
        {
            if (member == className)
                return $"a name other than the class's own name '{className}'";
            if (ReservedBy(member) is { } owner)
                return $"a name that the generated class does not already use: '{member}' is {owner}";
        }
        return null;
    }

    /// <summary>Why a namespace cannot hold the generated class, or null when it can.</summary>
    public static string? NamespaceProblem(string ns)
    {
        foreach (var segment in ns.Split('.'))
        {
            if (segment.Length == 0 || !Text.IsIdentifier(segment))
                return "a C# namespace such as 'Forecasting.Models' (dot-separated names of letters, digits and '_')";
            if (IsKeyword(segment))
                return $"a C# namespace whose parts are not keywords ('{segment}' is a C# keyword)";
            if (s_reservedNamespaceSegments.Contains(segment))
                return $"a C# namespace without a part named '{segment}' (the generated code uses that name)";
        }
        return null;
    }

    public static bool IsNamespace(string ns) => NamespaceProblem(ns) is null;

    private static bool IsIdentifier(string name) => Text.IsIdentifier(name) && !IsKeyword(name);

    private static bool IsKeyword(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None;

    /// <summary>What already owns <paramref name="member"/> in a generated class, or null when nothing does.</summary>
    private static string? ReservedBy(string member)
    {
        string owner(string name) => GeneratedMembers.Contains(name, StringComparer.Ordinal)
            ? $"a member of every generated model class"
            : "a member of TorchSharp's Module<Tensor, Tensor>";
        if (s_reserved.Contains(member)) return owner(member);
        foreach (var prefix in s_accessorPrefixes)
        {
            if (member.StartsWith(prefix, StringComparison.Ordinal) && s_reserved.Contains(member.Substring(prefix.Length)))
                return $"the accessor of '{member.Substring(prefix.Length)}', {owner(member.Substring(prefix.Length))}";
        }
        return null;
    }
}
