using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace SeqDsl.Runtime.Training;

/// <summary>Saves and loads model weights (TorchSharp's <c>Module.save</c> format) without ever exposing a half-written file.</summary>
public static class Checkpoint
{
    /// <summary>
    /// Writes the model's state dict to <c>path.tmp-&lt;guid&gt;</c>, flushes it to disk and renames it over
    /// <paramref name="path"/>, so a crash mid-write leaves the previous checkpoint intact.
    /// </summary>
    /// <param name="model">The model whose parameters and buffers are saved.</param>
    /// <param name="path">Destination file; its directory is created if needed.</param>
    public static void SaveAtomic(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        AtomicFile.Write(path, stream =>
        {
            // Module.save(Stream) would close the stream before it can be flushed to disk.
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            model.save(writer);
            writer.Flush();
        });
    }

    /// <summary>Loads weights written by <see cref="SaveAtomic"/> (or <c>Module.save</c>) into <paramref name="model"/>.</summary>
    /// <param name="model">A model of the same architecture.</param>
    /// <param name="path">Checkpoint file.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is corrupt or belongs to another architecture; the message names the path, and the model keeps the
    /// weights it had before the call.
    /// </exception>
    public static void Load(nn.Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);

        // A failed load can stop halfway and leave some parameters overwritten, so keep copies to roll back to.
        var backup = new Dictionary<string, Tensor>();
        try
        {
            using (no_grad())
            {
                foreach (var (name, tensor) in model.state_dict())
                    backup[name] = tensor.detach().clone().DetachFromDisposeScope();
            }
            try
            {
                model.load(path);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                model.load_state_dict(backup);
                throw new InvalidDataException(
                    $"Checkpoint '{path}' could not be loaded: it is corrupt or was saved from a different model ({e.Message}).", e);
            }
        }
        finally
        {
            foreach (var tensor in backup.Values) tensor.Dispose();
        }
    }
}
