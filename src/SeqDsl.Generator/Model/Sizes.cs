using System;
using System.Collections.Generic;
using System.Globalization;
using SeqDsl.Generator.Helpers;

namespace SeqDsl.Generator.Model;

/// <summary>A size that a spec names instead of giving a number, because only the run knows it.</summary>
internal enum SizeName
{
    /// <summary>The vocabulary size of a text task, from its corpus.</summary>
    Vocab,
}

/// <summary>How each named size is written: in the spec, in docs, and in the generated class.</summary>
internal static class NamedSizes
{
    /// <summary>The word a spec writes, and docs and layer tables print: 'units: vocab'.</summary>
    public static string Word(SizeName name) => name switch
    {
        SizeName.Vocab => "vocab",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The generated constructor's parameter, and the variable of the layer table and count expressions.</summary>
    public static string Parameter(SizeName name) => name switch
    {
        SizeName.Vocab => "vocabularySize",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The generated instance property that holds the size the model was built for.</summary>
    public static string Property(SizeName name) => name switch
    {
        SizeName.Vocab => "VocabularySize",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>The runtime's <c>ModelSizes</c> property that carries the size at run time.</summary>
    public static string SizesMember(SizeName name) => name switch
    {
        SizeName.Vocab => "Vocabulary",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    public static SizeName? Parse(string word) => word == Word(SizeName.Vocab) ? SizeName.Vocab : null;

    /// <summary>
    /// 'units: labels': the label count of an episodes task (scored and auxiliary). Unlike a <see cref="SizeName"/> the
    /// spec itself fixes it, so binding substitutes the number (<see cref="Layers.LayerOptionReader.Size"/>) and
    /// shapes, counts and the generated class hold plain numbers.
    /// </summary>
    public const string LabelsWord = "labels";
}

/// <summary>
/// The length of one axis: a number, an affine expression <c>Coefficient·size + Constant</c> of a named size
/// (a one-hot input has vocab features, a flattened one 60·vocab), or open (a time length the input decides).
/// Arithmetic is checked: a size that does not fit a long throws <see cref="OverflowException"/>.
/// </summary>
internal readonly record struct Dim(long Constant, long Coefficient, SizeName Size, bool IsOpen)
{
    public static Dim Of(long value) => new(value, 0, SizeName.Vocab, false);
    public static Dim Named(SizeName size) => new(0, 1, size, false);
    public static Dim Open => new(0, 0, SizeName.Vocab, true);

    public bool IsNumber => !IsOpen && Coefficient == 0;
    public bool IsSymbolic => !IsOpen && Coefficient != 0;

    /// <summary>The number, for an axis that is one (time lengths always are, or open).</summary>
    public long Value => IsNumber ? Constant : throw new InvalidOperationException($"the axis {this} is not a number");

    /// <summary>The largest term, for the limit on any one axis.</summary>
    public long LargestTerm => Math.Max(Math.Abs(Constant), Math.Abs(Coefficient));

    public static Dim operator *(Dim dim, long factor)
        => dim.IsOpen ? dim : dim with { Constant = checked(dim.Constant * factor), Coefficient = checked(dim.Coefficient * factor) };

    public static Count operator *(Dim left, Dim right) => Count.Of(left) * right;

    public bool Is(long number) => IsNumber && Constant == number;

    /// <summary>Keras notation: 240, vocab, 60·vocab, None.</summary>
    public override string ToString()
    {
        if (IsOpen) return "None";
        if (Coefficient == 0) return Constant.ToString(CultureInfo.InvariantCulture);
        string term = (Coefficient == 1 ? "" : Coefficient.ToString(CultureInfo.InvariantCulture) + "·") + NamedSizes.Word(Size);
        return Constant == 0 ? term : term + " + " + Constant.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The axis as a C# long expression of the constructor's size parameter ("null" when open).</summary>
    public string ToCSharp()
    {
        if (IsOpen) return "null";
        if (Coefficient == 0) return Constant.ToString(CultureInfo.InvariantCulture);
        if (Coefficient == 1 && Constant == 0) return NamedSizes.Parameter(Size);
        return Count.Of(this).ToCSharp();
    }
}

/// <summary>
/// A parameter count: <c>Squared·size² + Linear·size + Constant</c> of a named size (a dense layer of vocab
/// units over one-hot input has vocab² weights), so a count is exact for every size. Arithmetic is checked.
/// </summary>
internal readonly record struct Count(long Constant, long Linear, long Squared, SizeName Size)
{
    public static Count Zero => default;

    public static Count Of(long value) => new(value, 0, 0, SizeName.Vocab);

    public static Count Of(Dim dim) => dim.IsOpen
        ? throw new InvalidOperationException("an open axis has no count")
        : new Count(dim.Constant, dim.Coefficient, 0, dim.Size);

    public bool IsNumber => Linear == 0 && Squared == 0;

    public static Count operator +(Count left, Count right)
    {
        var size = SameSize(left, right);
        return new(checked(left.Constant + right.Constant), checked(left.Linear + right.Linear), checked(left.Squared + right.Squared), size);
    }

    public static Count operator *(Count count, long factor)
        => new(checked(count.Constant * factor), checked(count.Linear * factor), checked(count.Squared * factor), count.Size);

    public static Count operator *(Count count, Dim dim)
    {
        var size = count.IsNumber ? dim.Size : dim.Coefficient == 0 ? count.Size : SameSize(count, Of(dim));
        if (count.Squared != 0 && dim.Coefficient != 0)
            throw new InvalidOperationException("a parameter count of more than the square of a named size");
        return new(checked(count.Constant * dim.Constant),
            checked(count.Linear * dim.Constant + count.Constant * dim.Coefficient),
            checked(count.Squared * dim.Constant + count.Linear * dim.Coefficient),
            size);
    }

    /// <summary>For the model's total: whether adding <paramref name="other"/> would pass long.MaxValue in any term.</summary>
    public bool WouldOverflowWith(Count other)
        => other.Constant > long.MaxValue - Constant || other.Linear > long.MaxValue - Linear || other.Squared > long.MaxValue - Squared;

    private static SizeName SameSize(Count left, Count right)
        => left.IsNumber ? right.Size
            : right.IsNumber || left.Size == right.Size ? left.Size
            : throw new InvalidOperationException($"a count of two named sizes, {NamedSizes.Word(left.Size)} and {NamedSizes.Word(right.Size)}");

    /// <summary>For people: "4,641" or "641·vocab + 66,560".</summary>
    public override string ToString()
    {
        string word = NamedSizes.Word(Size);
        var terms = new List<string>();
        if (Squared != 0) terms.Add($"{Text.Format(Squared)}·{word}²");
        if (Linear != 0) terms.Add($"{Text.Format(Linear)}·{word}");
        if (Constant != 0 || terms.Count == 0) terms.Add(Text.Format(Constant));
        return string.Join(" + ", terms);
    }

    /// <summary>As C#, with the constructor's size parameter for the named size.</summary>
    public string ToCSharp()
    {
        if (IsNumber) return Constant.ToString(CultureInfo.InvariantCulture);
        string parameter = NamedSizes.Parameter(Size);
        var terms = new List<string>();
        if (Squared != 0) terms.Add($"{Squared}L * {parameter} * {parameter}");
        if (Linear != 0) terms.Add($"{Linear}L * {parameter}");
        if (Constant != 0) terms.Add(Constant.ToString(CultureInfo.InvariantCulture));
        // Checked: a size near int.MaxValue overflows a long count, which must fail rather than wrap to a negative count.
        return $"checked({string.Join(" + ", terms)})";
    }
}
