using System.Collections.Generic;

namespace SeqDsl.Generator.Parsing;

/// <summary>
/// Which grid points a sweep runs, as pure arithmetic over the number of values per key. A grid point's index is its
/// position in the product of the keys' values in the spec's order, the last key changing fastest (Python's
/// itertools.product), so the run index of a grid sweep is that position.
/// </summary>
internal static class SweepExpansion
{
    /// <summary>The number of grid points, or null when it exceeds <paramref name="ceiling"/> (the caller reports that).</summary>
    public static long? GridSize(IReadOnlyList<int> counts, long ceiling)
    {
        long size = 1;
        foreach (int count in counts)
        {
            if (size > ceiling / count) return null;
            size *= count;
        }
        return size;
    }

    /// <summary>The value index of each key at a grid point: <paramref name="index"/> in mixed radix, the last key's digit lowest.</summary>
    public static int[] Digits(long index, IReadOnlyList<int> counts)
    {
        var digits = new int[counts.Count];
        for (int i = counts.Count - 1; i >= 0; i--)
        {
            digits[i] = (int)(index % counts[i]);
            index /= counts[i];
        }
        return digits;
    }

    /// <summary>The index of the digits over a subset of the keys (the layer keys of a variant): the inverse of <see cref="Digits"/> on that subset.</summary>
    public static int Index(IReadOnlyList<int> digits, IReadOnlyList<int> counts)
    {
        int index = 0;
        for (int i = 0; i < digits.Count; i++)
            index = index * counts[i] + digits[i];
        return index;
    }

    /// <summary>
    /// <paramref name="count"/> distinct grid points of <paramref name="gridSize"/>, drawn with <paramref name="seed"/>, in
    /// ascending order. Robert Floyd's sampling (Bentley and Floyd, CACM 1987: for j from n − k to n − 1, draw t in [0, j];
    /// take t, or j when t was taken) over <see cref="SplitMix64"/>: count draws whatever the grid's size, and the same
    /// points on every machine and .NET version (System.Random's sequence is not specified). A count of at least the
    /// grid's size is the whole grid.
    /// </summary>
    public static long[] Sample(long gridSize, long count, ulong seed)
    {
        if (count >= gridSize)
        {
            var all = new long[gridSize];
            for (long i = 0; i < gridSize; i++) all[i] = i;
            return all;
        }
        var random = new SplitMix64(seed);
        var chosen = new HashSet<long>();
        for (long j = gridSize - count; j < gridSize; j++)
        {
            long t = (long)random.Below((ulong)j + 1);
            chosen.Add(chosen.Contains(t) ? j : t);
        }
        var points = new List<long>(chosen);
        points.Sort();
        return points.ToArray();
    }

    /// <summary>
    /// SplitMix64 (Steele, Lea and Flood, OOPSLA 2014; the seeding generator of xoshiro): a 64-bit state advanced by the
    /// golden-ratio constant and mixed by two multiply-xorshift rounds. Small, fast and fully specified here.
    /// </summary>
    internal sealed class SplitMix64
    {
        private ulong _state;

        public SplitMix64(ulong seed) => _state = seed;

        public ulong Next()
        {
            ulong z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        /// <summary>A number in [0, bound), without modulo bias: draws at or above the largest multiple of bound are drawn again.</summary>
        public ulong Below(ulong bound)
        {
            ulong limit = ulong.MaxValue - ulong.MaxValue % bound;
            ulong x;
            do x = Next(); while (x >= limit);
            return x % bound;
        }
    }
}
