using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SeqDsl.Runtime.Experiments;

namespace SeqDsl.Runtime;

/// <summary>
/// How generated model constructors create their layers. A spec can ask for layers larger than the machine
/// holds; without these checks libtorch fails deep inside a native allocation (or the operating system ends
/// the process while the weights are initialized), and the user sees a native stack trace instead of the
/// layer at fault.
/// </summary>
public static class LayerAllocation
{
    /// <summary>
    /// Throws <see cref="ExperimentException"/> naming the largest layer when the model's float32 weights
    /// alone exceed the memory this process may use.
    /// </summary>
    public static void EnsureFits(string modelName, IReadOnlyList<LayerSummary> layers)
    {
        if (layers.Count == 0) return;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        var largest = layers.OrderByDescending(l => l.Parameters).First();
        decimal bytes = layers.Sum(l => (decimal)l.Parameters) * sizeof(float);
        if (available > 0 && bytes > available)
        {
            throw new ExperimentException(string.Format(CultureInfo.InvariantCulture,
                "Model '{0}' needs {1} for its weights alone, more than the {2} of memory this process may use; its largest layer is '{3}' ({4}, {5:N0} parameters). Use fewer units or filters.",
                modelName, Bytes(bytes), Bytes(available), largest.Name, largest.Type, largest.Parameters));
        }
    }

    /// <summary>Runs a layer's constructor; an allocation failure becomes <see cref="ExperimentException"/> naming the layer and its size.</summary>
    public static T Create<T>(LayerSummary layer, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is OutOfMemoryException or OverflowException or System.Runtime.InteropServices.ExternalException)
        {
            string reason = e.Message.Split('\n')[0].Trim();
            throw new ExperimentException(string.Format(CultureInfo.InvariantCulture,
                "Layer '{0}' ({1}, {2:N0} parameters, {3} as float32) could not be allocated: {4}",
                layer.Name, layer.Type, layer.Parameters, Bytes((decimal)layer.Parameters * sizeof(float)), reason));
        }
    }

    private static string Bytes(decimal bytes)
    {
        string[] units = { "bytes", "KB", "MB", "GB", "TB", "PB", "EB" };
        int unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes:0} bytes" : string.Format(CultureInfo.InvariantCulture, "{0:0.#} {1}", bytes, units[unit]);
    }
}
