using Microsoft.CodeAnalysis;
using SeqDsl.Generator.Tests.Infrastructure;

namespace SeqDsl.Generator.Tests;

/// <summary>
/// Random damage to valid specs (deleted and duplicated lines, swapped values, wrong types, broken
/// indentation, stray characters) must give SEQ diagnostics or valid code: never an exception from the
/// generator (CS8785/AD0001) nor an internal error (SEQ9001).
/// </summary>
public class MutationTests
{
    private static readonly string[] s_junk =
    {
        "-1", "0", "3.5", "1e400", "abc", "\"quoted\"", "[1, 2]", "{ a: 1 }", "null", "~", "true", "''", "&a x", "*a", "!!binary x", "|", ">", "@", "`", "%", "units", "gru",
    };

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int seed = 0; seed < 12; seed++) data.Add(seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Mutated_specs_give_diagnostics_never_crashes(int seed)
    {
        int valid = 0, rejected = 0;
        foreach (string mutated in Mutants(seed))
        {
            var result = GeneratorHarness.Run(("mutant.yaml", mutated));

            Assert.True(result.Run.Exception is null, $"generator threw on:\n{mutated}\n{result.Run.Exception}");
            var bad = result.Diagnostics.Where(d => d.Id is "CS8785" or "AD0001" or "SEQ9001").ToList();
            Assert.True(bad.Count == 0, $"{string.Join("\n", bad)}\non:\n{mutated}");
            if (result.Seq.Any())
            {
                rejected++;
                Assert.All(result.Seq, d => Assert.NotEqual(Location.None, d.Location));
                continue;
            }
            valid++;
            // A spec that passed every check must produce code that compiles (checked in full for a few per seed: it is slower).
            if (valid <= 4)
                Assert.DoesNotContain(result.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
            else
                foreach (var source in result.Run.GeneratedSources)
                    Assert.DoesNotContain(source.SyntaxTree.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        }
        Assert.True(rejected > 0, "mutations should break some specs");
    }

    /// <summary>The 50 mutants of a seed: example specs, each damaged 1 to 3 times (the schema agreement test checks the same ones).</summary>
    internal static IEnumerable<string> Mutants(int seed)
    {
        var random = new Random(seed);
        var specs = Repo.ExampleSpecs().Select(s => File.ReadAllText(s.Path)).ToArray();
        for (int i = 0; i < 50; i++)
        {
            string original = specs[random.Next(specs.Length)];
            yield return Mutate(original, random, random.Next(1, 4));
        }
    }

    private static string Mutate(string text, Random random, int count)
    {
        var lines = text.Split('\n').ToList();
        for (int n = 0; n < count; n++)
        {
            if (lines.Count == 0) break;
            int at = random.Next(lines.Count);
            switch (random.Next(8))
            {
                case 0: lines.RemoveAt(at); break;
                case 1: lines.Insert(at, lines[random.Next(lines.Count)]); break;
                case 2: lines[at] = ReplaceValue(lines[at], s_junk[random.Next(s_junk.Length)], random); break;
                case 3: lines[at] = new string(' ', random.Next(0, 7)) + lines[at].TrimStart(); break;
                case 4:
                {
                    int other = random.Next(lines.Count);
                    string a = ValueOf(lines[at]), b = ValueOf(lines[other]);
                    if (a.Length > 0 && b.Length > 0) { lines[at] = ReplaceValue(lines[at], b, random); lines[other] = ReplaceValue(lines[other], a, random); }
                    break;
                }
                case 5:
                {
                    string line = lines[at];
                    int position = random.Next(line.Length + 1);
                    lines[at] = line.Insert(position, "{}[]:,-#'\"&*!|>%@`\t"[random.Next(19)].ToString());
                    break;
                }
                case 6: lines[at] = lines[at].Length > 0 ? lines[at].Substring(0, random.Next(lines[at].Length)) : lines[at]; break;
                default: lines[at] = lines[at].Replace(": ", random.Next(2) == 0 ? ":" : ":  ").Replace("{", random.Next(2) == 0 ? "" : "{{"); break;
            }
        }
        return string.Join("\n", lines);
    }

    private static string ValueOf(string line)
    {
        int colon = line.LastIndexOf(": ", StringComparison.Ordinal);
        if (colon < 0) return "";
        return line.Substring(colon + 2).TrimEnd(' ', '}', ',');
    }

    private static string ReplaceValue(string line, string value, Random random)
    {
        var colons = new List<int>();
        for (int i = line.IndexOf(": ", StringComparison.Ordinal); i >= 0; i = line.IndexOf(": ", i + 1, StringComparison.Ordinal)) colons.Add(i);
        if (colons.Count == 0) return line + " " + value;
        int start = colons[random.Next(colons.Count)] + 2;
        int end = start;
        while (end < line.Length && line[end] != ',' && line[end] != '}') end++;
        return line.Substring(0, start) + value + line.Substring(end);
    }
}
