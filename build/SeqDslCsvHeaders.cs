// Reads the first line of each CSV file that a SeqDsl spec names, for the generator's build-time column check.
//
// Why here: a source generator must not read files (RS1035), and handing it whole CSV files as AdditionalFiles would
// load a 40 MB series into the compiler and the IDE. This MSBuild task reads each spec, finds its 'path:' values,
// resolves them against the spec's folder as the runtime does, and writes one line per file that exists:
//   spec path TAB path as written TAB resolved file TAB first line of the file
// into obj/, which build/SeqDsl.Specs.targets passes to the generator. Only the first line is read (at most 64 KiB),
// and the output file is rewritten only when its content changes, so an unchanged project stays up to date.
// A path the task cannot find (a download source, a file that is not there yet) is left out: no check, no error.
//
// This file is compiled twice: into the MSBuild inline task (build/SeqDsl.Specs.targets) and into the tests
// (with SEQDSL_CSV_HEADERS_ONLY defined), which check the spec scan without MSBuild.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

#nullable enable

namespace SeqDsl.Build
{
    public static class CsvHeaderScan
    {
        /// <summary>The most bytes read from the start of a file to find its first line.</summary>
        public const int MaxHeaderBytes = 64 * 1024;

        // A 'path:' key (not 'test_path:') at a line start, after '{' or ',', with a quoted or plain value; a plain
        // value ends at a comma, '}', ']', a comment or the line's end, as YAML's flow and block scalars do.
        private static readonly Regex PathKey = new Regex(
            "(?:^|[\\s{,])path\\s*:[ \\t]*(?:\"(?<value>[^\"\\r\\n]*)\"|'(?<value>[^'\\r\\n]*)'|(?<value>[^\\s'\"{}\\[\\],#][^,}\\]\\r\\n#]*?))[ \\t]*(?=$|[,}\\]\\r\\n]|[ \\t]#)",
            RegexOptions.Multiline | RegexOptions.CultureInvariant);

        /// <summary>The 'path:' values of a spec's text, in order, without repeats.</summary>
        public static IReadOnlyList<string> PathValues(string specText)
        {
            var values = new List<string>();
            foreach (Match match in PathKey.Matches(specText))
            {
                string value = match.Groups["value"].Value.Trim();
                if (value.Length > 0 && !values.Contains(value)) values.Add(value);
            }
            return values;
        }

        /// <summary>The first line of a regular file, or null when it has none within <see cref="MaxHeaderBytes"/> or is not text.</summary>
        public static string? FirstLine(string path)
        {
            var buffer = new byte[MaxHeaderBytes];
            int read = 0;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                while (read < buffer.Length)
                {
                    int n = stream.Read(buffer, read, buffer.Length - read);
                    if (n == 0) break;
                    read += n;
                }
            }
            int end = Array.IndexOf(buffer, (byte)'\n', 0, read);
            if (end < 0) end = read < buffer.Length ? read : -1;
            if (end <= 0 || Array.IndexOf(buffer, (byte)0, 0, end) >= 0) return null;
            int start = end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            return Encoding.UTF8.GetString(buffer, start, end - start).TrimEnd('\r');
        }

        /// <summary>The lines of the header file for these specs (see the file's comment for the format).</summary>
        public static string Scan(IEnumerable<string> specPaths)
        {
            var text = new StringBuilder("# SeqDsl: the first line of each CSV file that a spec names (written by the build; see build/SeqDslCsvHeaders.cs)\n");
            foreach (string spec in specPaths)
            {
                string specPath = Path.GetFullPath(spec);
                if (!File.Exists(specPath)) continue;
                string folder = Path.GetDirectoryName(specPath) ?? "";
                foreach (string value in PathValues(File.ReadAllText(specPath)))
                {
                    string file;
                    try
                    {
                        file = Path.GetFullPath(Path.IsPathRooted(value) ? value : Path.Combine(folder, value));
                    }
                    catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
                    {
                        continue;
                    }
                    if (!File.Exists(file)) continue;
                    string? header;
                    try
                    {
                        header = FirstLine(file);
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        continue;
                    }
                    if (header is null || (specPath + value + file).IndexOfAny(new[] { '\t', '\n', '\r' }) >= 0) continue;
                    text.Append(specPath).Append('\t').Append(value).Append('\t').Append(file).Append('\t').Append(header).Append('\n');
                }
            }
            return text.ToString();
        }
    }

#if !SEQDSL_CSV_HEADERS_ONLY
    /// <summary>Writes <see cref="CsvHeaderScan.Scan"/> of the specs into OutputFile, only when its content changes.</summary>
    public sealed class SeqDslReadCsvHeaders : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Specs { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string OutputFile { get; set; } = "";

        public override bool Execute()
        {
            var paths = new List<string>();
            foreach (var spec in Specs) paths.Add(spec.GetMetadata("FullPath"));
            string text = CsvHeaderScan.Scan(paths);
            string? directory = Path.GetDirectoryName(Path.GetFullPath(OutputFile));
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            if (File.Exists(OutputFile) && File.ReadAllText(OutputFile) == text) return true;
            File.WriteAllText(OutputFile, text);
            return true;
        }
    }
#endif
}
