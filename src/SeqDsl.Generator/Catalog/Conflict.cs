namespace SeqDsl.Generator.Catalog;

/// <summary>
/// A key that may not be given when a condition on other keys holds (or, with <see cref="Word"/>, may not say that
/// word), e.g. 'path' in 'data' with a source other than csv. The parser reports SEQ2012 at the key, with
/// <see cref="Message"/>; the JSON Schema says the same with <c>if</c>/<c>then</c>, the key's value refused by a
/// <c>not</c> that carries the message as <c>errorMessage</c> (what VS Code's JSON and YAML servers show). Both read
/// this one definition, so conflicts of which keys are given are stated once; conflicts between values (lookback
/// against step, a loss against the task) stay in the binder.
/// </summary>
internal sealed class Conflict
{
    public Conflict(string path, KeyCondition when, string message)
    {
        Path = path;
        When = when;
        Message = message;
    }

    /// <summary>The key that may not be given, as a path from the root ("data.url").</summary>
    public string Path { get; }
    public KeyCondition When { get; }
    /// <summary>What is wrong and what to do, the same in the build's message and the editor's.</summary>
    public string Message { get; }
    /// <summary>When set, only this value of the key conflicts ('channels: independent'); else any value does.</summary>
    public string? Word { get; init; }
    /// <summary>A key whose value the build's message adds ("; this spec's source is ett"): an editor shows the spec beside the message.</summary>
    public string? Shows { get; init; }

    /// <summary>Whether the spec gives the key (with the conflicting word, if any).</summary>
    public KeyCondition Given => Word is null ? KeyCondition.Present(Path) : KeyCondition.Is(Path, Word);

    public string Key => Path.Substring(Path.LastIndexOf('.') + 1);
}
