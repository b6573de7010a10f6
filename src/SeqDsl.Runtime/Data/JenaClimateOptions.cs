using System;
using System.Net.Http;

namespace SeqDsl.Runtime.Data;

/// <summary>Where <see cref="JenaClimate"/> downloads the archive from and where it caches the CSV.</summary>
public sealed record JenaClimateOptions
{
    /// <summary>The zip archive: an http(s) URL, or a file URL whose file is copied.</summary>
    public Uri Source { get; init; } = new(JenaClimate.DefaultUrl);

    /// <summary>The directory that holds the extracted CSV; created when missing.</summary>
    public string CacheDirectory { get; init; } = JenaClimate.DefaultCacheDirectory;

    /// <summary>When set, the archive's SHA-256 (hex, any case) must equal this before it is extracted.</summary>
    public string? Sha256 { get; init; }

    /// <summary>The HTTP handler to download with (tests inject a fake); null: a new <see cref="HttpClientHandler"/>. Not disposed.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>The limit for the whole download.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}
