using System;
using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SeqDsl.Generator.Parsing;

/// <summary>What a YAML scalar is under the YAML 1.2 core schema.</summary>
internal enum ScalarKind { Null, Boolean, Integer, Float, String }

/// <summary>
/// A scalar resolved by the YAML 1.2 core schema (YAML 1.2.2, 10.3.2), the resolution YAML editors apply before
/// they validate against the JSON Schema: quoted and block scalars are strings; a plain scalar is null
/// (<c>~</c>, <c>null</c>, empty), a boolean (<c>true</c>, <c>True</c>, <c>TRUE</c>, false alike), an integer
/// (decimal, <c>0o</c> octal, <c>0x</c> hexadecimal), a float (<c>1.5</c>, <c>1e2</c>, <c>.inf</c>, <c>.nan</c>) or
/// else a string; an explicit core tag (<c>!!str</c>, <c>!!int</c>, …) chooses the kind. The parser reads every
/// value's type through this, so a value is an integer for the build exactly when it is one for the editor.
/// </summary>
internal readonly struct CoreScalar
{
    private static readonly Regex s_decimal = new(@"^[-+]?[0-9]+$", RegexOptions.CultureInvariant);
    private static readonly Regex s_octal = new(@"^0o[0-7]+$", RegexOptions.CultureInvariant);
    private static readonly Regex s_hex = new(@"^0x[0-9a-fA-F]+$", RegexOptions.CultureInvariant);
    private static readonly Regex s_float = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant);
    private static readonly Regex s_infinity = new(@"^[-+]?\.(inf|Inf|INF)$", RegexOptions.CultureInvariant);
    private static readonly Regex s_nan = new(@"^\.(nan|NaN|NAN)$", RegexOptions.CultureInvariant);

    private CoreScalar(ScalarKind kind, string text, BigInteger integer = default, double number = 0)
    {
        Kind = kind;
        Text = text;
        Integer = integer;
        Number = number;
    }

    public ScalarKind Kind { get; }
    /// <summary>The scalar's text as written (without quotes).</summary>
    public string Text { get; }
    /// <summary>The value of an <see cref="ScalarKind.Integer"/>.</summary>
    public BigInteger Integer { get; }
    /// <summary>The value of a number (integer or float; infinite or NaN for .inf and .nan).</summary>
    public double Number { get; }

    public bool IsNumber => Kind is ScalarKind.Integer or ScalarKind.Float;

    /// <summary>
    /// The value as a whole number when it is one: an integer, or a finite float without a fractional part
    /// (<c>64.0</c>, <c>1e2</c>). JSON Schema's "integer" is "a number with a zero fractional part" and an editor sees
    /// 64.0 as the number 64, so the build takes what the schema takes (as Keras 2's Dense did with int(units)).
    /// </summary>
    public BigInteger? WholeNumber
        => Kind == ScalarKind.Integer ? Integer
            : Kind == ScalarKind.Float && !double.IsNaN(Number) && !double.IsInfinity(Number) && Math.Floor(Number) == Number ? new BigInteger(Number)
            : null;

    public static CoreScalar Resolve(YamlScalarNode node)
    {
        string text = node.Value ?? "";
        string tag = node.Tag.IsEmpty ? "" : node.Tag.Value;
        bool plain = node.Style is YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any;
        switch (tag)
        {
            case "tag:yaml.org,2002:str": return new CoreScalar(ScalarKind.String, text);
            case "tag:yaml.org,2002:null": return new CoreScalar(ScalarKind.Null, text);
            case "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float":
                var typed = ResolvePlain(text);
                return typed.Kind != ScalarKind.String ? typed : new CoreScalar(ScalarKind.String, text);
            case "" or "?" or "!":
                return plain && tag != "!" ? ResolvePlain(text) : new CoreScalar(ScalarKind.String, text);
            default:
                // Any other tag (!!binary, !custom) has no meaning in a spec; editors fall back to a string, and so does the build.
                return new CoreScalar(ScalarKind.String, text);
        }
    }

    private static CoreScalar ResolvePlain(string text)
    {
        if (text is "" or "~" or "null" or "Null" or "NULL") return new CoreScalar(ScalarKind.Null, text);
        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE") return new CoreScalar(ScalarKind.Boolean, text);
        if (s_decimal.IsMatch(text))
        {
            var value = BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            return new CoreScalar(ScalarKind.Integer, text, value, (double)value);
        }
        if (s_octal.IsMatch(text) || s_hex.IsMatch(text))
        {
            int radix = text[1] == 'o' ? 8 : 16;
            var value = BigInteger.Zero;
            foreach (char c in text.Substring(2)) value = value * radix + Convert.ToInt32(c.ToString(), 16);
            return new CoreScalar(ScalarKind.Integer, text, value, (double)value);
        }
        if (s_float.IsMatch(text))
            return new CoreScalar(ScalarKind.Float, text, number: double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        if (s_infinity.IsMatch(text)) return new CoreScalar(ScalarKind.Float, text, number: text[0] == '-' ? double.NegativeInfinity : double.PositiveInfinity);
        if (s_nan.IsMatch(text)) return new CoreScalar(ScalarKind.Float, text, number: double.NaN);
        return new CoreScalar(ScalarKind.String, text);
    }
}
