using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using SeqDsl.Runtime.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Training;

/// <summary>
/// What a checkpoint says about itself: the run that wrote it, the epoch of its weights, the model, and for a text
/// model the vocabulary the weights were trained with, so that the weights never meet another run's mapping.
/// </summary>
public sealed record CheckpointInfo
{
    /// <summary>Identifies the run (kept across resumes) that wrote the checkpoint.</summary>
    public required string RunId { get; init; }

    /// <summary>The 1-based epoch after which the weights were saved.</summary>
    public required int Epoch { get; init; }

    /// <summary>The model's name in its spec, if known.</summary>
    public string? Model { get; init; }

    /// <summary>A text model's vocabulary: its characters (UTF-16 code units) in index order; null for other models.</summary>
    public IReadOnlyList<int>? Vocabulary { get; init; }
}

/// <summary>
/// Saves and loads model weights without ever exposing a half-written file. A file is a header (a magic string, then
/// <see cref="CheckpointInfo"/> as JSON) followed by TorchSharp's <c>Module.save</c> format; files without the header
/// (plain <c>Module.save</c>) load too, with no info.
/// </summary>
public static class Checkpoint
{
    private static readonly byte[] Magic = "SEQDSL-CHECKPOINT-1\n"u8.ToArray();

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// Writes the header with <paramref name="info"/> (when given) and the model's state dict to
    /// <c>path.tmp-&lt;guid&gt;</c>, flushes it to disk and renames it over <paramref name="path"/>, so a crash mid-write
    /// leaves the previous checkpoint intact and weights and info are always replaced together.
    /// </summary>
    /// <param name="model">The model whose parameters and buffers are saved.</param>
    /// <param name="path">Destination file; its directory is created if needed.</param>
    /// <param name="info">What the checkpoint says about itself; null writes the plain TorchSharp format.</param>
    public static void SaveAtomic(nn.Module model, string path, CheckpointInfo? info = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream =>
        {
            // Module.save(Stream) would close the stream before it can be flushed to disk.
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            if (info is not null)
            {
                writer.Write(Magic);
                writer.Write(JsonSerializer.Serialize(info, JsonOptions));
            }
            model.save(writer);
            writer.Flush();
        });
    }

    /// <summary>The info in a checkpoint's header; null for a file without one (plain <c>Module.save</c>).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The path is not a regular file with data, or the header is damaged; the message names the path.</exception>
    public static CheckpointInfo? ReadInfo(string path)
    {
        InputFile.Check(path, "Checkpoint");
        using var stream = File.OpenRead(path);
        using var reader = new BinaryReader(stream, Encoding.UTF8);
        return ReadHeader(reader, path);
    }

    /// <summary>Loads weights written by <see cref="SaveAtomic"/> (or <c>Module.save</c>) into <paramref name="model"/>.</summary>
    /// <param name="model">A model of the same architecture.</param>
    /// <param name="path">Checkpoint file.</param>
    /// <returns>The info in the checkpoint's header, or null when it has none.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is corrupt or belongs to another architecture; the message names the path, and the model keeps the
    /// weights it had before the call.
    /// </exception>
    public static CheckpointInfo? Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        InputFile.Check(path, "Checkpoint");

        // A failed load can stop halfway and leave some parameters overwritten, so keep copies to roll back to.
        var backup = new Dictionary<string, Tensor>();
        try
        {
            using (no_grad())
            {
                foreach (var (name, tensor) in model.state_dict())
                    backup[name] = tensor.detach().clone().DetachFromDisposeScope();
            }
            using var stream = File.OpenRead(path);
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            var info = ReadHeader(reader, path);
            try
            {
                model.load(reader);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                model.load_state_dict(backup);
                throw new InvalidDataException(
                    $"Checkpoint '{path}' could not be loaded: it is corrupt or was saved from a different model ({e.Message}).", e);
            }
            return info;
        }
        finally
        {
            foreach (var tensor in backup.Values) tensor.Dispose();
        }
    }

    private static CheckpointInfo? ReadHeader(BinaryReader reader, string path)
    {
        var stream = reader.BaseStream;
        var start = new byte[Magic.Length];
        int read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (read < Magic.Length || !start.AsSpan().SequenceEqual(Magic))
        {
            stream.Position = 0;
            return null;
        }
        CheckpointInfo? info;
        try
        {
            info = JsonSerializer.Deserialize<CheckpointInfo>(reader.ReadString(), JsonOptions);
        }
        catch (Exception e) when (e is JsonException or EndOfStreamException or IOException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has a damaged header ({e.Message}).", e);
        }
        if (info is null || string.IsNullOrWhiteSpace(info.RunId))
            throw new InvalidDataException($"Checkpoint '{path}': the header has no 'run_id'.");
        if (info.Epoch < 1)
            throw new InvalidDataException($"Checkpoint '{path}': the header's 'epoch' is {info.Epoch}; expected 1 or more.");
        return info;
    }
}
