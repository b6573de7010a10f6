namespace SeqDsl.Generator.Parsing;

/// <summary>
/// Bounds on what a spec may ask of the build. Specs are untrusted input (they arrive in pull requests), and
/// the compiler runs the generator in its own process: input that exhausts its stack or memory would take the
/// whole build down rather than report an error. Real specs are a few hundred characters, a few levels deep.
/// </summary>
internal static class SpecLimits
{
    /// <summary>Nested lists and mappings. YAML's tree loader recurses once per level; 64 levels fit any stack.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Characters in one spec file.</summary>
    public const int MaxDocumentLength = 4 * 1024 * 1024;

    /// <summary>
    /// Any size or count in a spec, and any axis of an inferred shape: generated code and the runtime's layers
    /// take them as int.
    /// </summary>
    public const long MaxInteger = int.MaxValue;

    /// <summary>Runs of one sweep: each is a training run, and the experiment lists them all in generated code.</summary>
    public const int MaxSweepRuns = 1000;

    /// <summary>Model classes one sweep's layer options expand into: each is a full generated class.</summary>
    public const int MaxSweepVariants = 64;
}
