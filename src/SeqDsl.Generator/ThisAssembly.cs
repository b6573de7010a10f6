namespace SeqDsl.Generator;

internal static class ThisAssembly
{
    /// <summary>Written into [GeneratedCode]; kept in step with SeqDslVersion in Directory.Build.props (a test checks).</summary>
    public const string Version = "0.1.0";
}
