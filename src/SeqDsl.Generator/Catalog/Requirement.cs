using System;
using System.Collections.Generic;
using System.Linq;

namespace SeqDsl.Generator.Catalog;

/// <summary>
/// A condition on which keys a spec gives and what some of them say, over dot-separated key paths from the
/// spec's root ("data.source"). The parser evaluates it on the YAML it read; the JSON Schema writer states it
/// as draft-07 subschemas (<c>required</c>, <c>const</c>, <c>enum</c>, <c>not</c>, <c>anyOf</c>, <c>allOf</c>), so both read
/// one definition. A path below a value that is not a mapping is absent, as it is for the schema.
/// </summary>
internal abstract class KeyCondition
{
    /// <summary>Whether the condition holds, given what a key path holds: null when absent, a scalar's text, or "" for a list or mapping.</summary>
    public abstract bool Holds(Func<string, string?> lookup);

    public static KeyCondition Present(string path) => new PresentCondition(path);
    public static KeyCondition Is(string path, params string[] words) => new IsCondition(path, words);
    public static KeyCondition Not(KeyCondition inner) => new NotCondition(inner);
    public static KeyCondition AnyOf(params KeyCondition[] conditions) => new AnyOfCondition(conditions);
    public static KeyCondition AllOf(params KeyCondition[] conditions) => new AllOfCondition(conditions);
}

/// <summary>The key is given (with any value).</summary>
internal sealed class PresentCondition : KeyCondition
{
    public PresentCondition(string path) => Path = path;
    public string Path { get; }
    public override bool Holds(Func<string, string?> lookup) => lookup(Path) is not null;
}

/// <summary>The key is given and is one of the strings <see cref="Words"/> (e.g. 'source: csv').</summary>
internal sealed class IsCondition : KeyCondition
{
    public IsCondition(string path, IReadOnlyList<string> words) { Path = path; Words = words; }
    public string Path { get; }
    public IReadOnlyList<string> Words { get; }
    public override bool Holds(Func<string, string?> lookup) => lookup(Path) is { } value && Words.Contains(value);
}

internal sealed class NotCondition : KeyCondition
{
    public NotCondition(KeyCondition inner) => Inner = inner;
    public KeyCondition Inner { get; }
    public override bool Holds(Func<string, string?> lookup) => !Inner.Holds(lookup);
}

internal sealed class AnyOfCondition : KeyCondition
{
    public AnyOfCondition(IReadOnlyList<KeyCondition> conditions) => Conditions = conditions;
    public IReadOnlyList<KeyCondition> Conditions { get; }
    public override bool Holds(Func<string, string?> lookup) => Conditions.Any(c => c.Holds(lookup));
}

internal sealed class AllOfCondition : KeyCondition
{
    public AllOfCondition(IReadOnlyList<KeyCondition> conditions) => Conditions = conditions;
    public IReadOnlyList<KeyCondition> Conditions { get; }
    public override bool Holds(Func<string, string?> lookup) => Conditions.All(c => c.Holds(lookup));
}

/// <summary>
/// A key that must be given when a condition on other keys holds, e.g. 'input' unless a data, text or episodes
/// section gives the model's shape. The parser reports SEQ2002 (at the mapping that lacks the key) and the JSON
/// Schema says the same with <c>if</c>/<c>then</c>; the key is required only where its parent is a mapping.
/// </summary>
internal sealed class Requirement
{
    public Requirement(string path, KeyCondition when, string hint)
    {
        Path = path;
        When = when;
        Hint = hint;
    }

    /// <summary>The key that must be given, as a path from the root ("data.columns").</summary>
    public string Path { get; }
    public KeyCondition When { get; }
    /// <summary>What the message adds after "Missing required key 'x' in y:".</summary>
    public string Hint { get; }

    /// <summary>The path of the mapping that must hold the key ("" for the root).</summary>
    public string Parent => Path.LastIndexOf('.') is var dot and >= 0 ? Path.Substring(0, dot) : "";

    public string Key => Path.Substring(Path.LastIndexOf('.') + 1);
}
