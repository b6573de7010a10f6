// Marks chosen symbol-version requirements of an ELF64 shared library as weak (VER_FLG_WEAK).
//
// Why: libLibTorchSharp.so from TorchSharp 0.107 lists GLIBCXX_3.4.32 among its version needs, but its
// only use of that version is std::ios_base_library_init, which no relocation refers to. Debian 12 and
// Ubuntu 22.04 ship libstdc++ up to GLIBCXX_3.4.30, so the loader refuses the library and TorchSharp
// reports a misleading "doesn't contain a reference to libtorch-cpu-linux-x64". A weak version need is
// checked but not enforced, so the library loads. The build patches the copy under bin/ or publish/,
// never the package cache.
//
// This file is compiled twice: into the MSBuild inline task (build/SeqDsl.TorchSharpNative.targets) and
// into the tests (with SEQDSL_PATCHER_ONLY defined), which check it against real and hand-made ELF files.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace SeqDsl.Build
{
    public static class ElfVersionNeedPatcher
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>
        /// Sets the weak flag on every version need whose name is in <paramref name="versions"/>.
        /// Returns the names that were changed (already-weak needs are not reported again).
        /// Throws <see cref="InvalidDataException"/> when the file is not a little-endian ELF64 file.
        /// </summary>
        public static IReadOnlyList<string> MarkWeak(byte[] image, ICollection<string> versions)
        {
            var changed = new List<string>();
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (image[4] != 2 || image[5] != 1)
                throw new InvalidDataException("only little-endian ELF64 files are supported");

            long sectionHeaderOffset = (long)ReadUInt64(image, 0x28);
            int sectionHeaderSize = ReadUInt16(image, 0x3A);
            int sectionCount = ReadUInt16(image, 0x3C);

            for (int i = 0; i < sectionCount; i++)
            {
                long header = sectionHeaderOffset + (long)i * sectionHeaderSize;
                CheckRange(image, header, 64);
                uint type = ReadUInt32(image, header + 4);
                if (type != ShtGnuVerneed)
                    continue;

                long offset = (long)ReadUInt64(image, header + 0x18);
                uint link = ReadUInt32(image, header + 0x28);
                uint entryCount = ReadUInt32(image, header + 0x2C); // sh_info: number of Verneed entries
                long stringTable = (long)ReadUInt64(image, sectionHeaderOffset + (long)link * sectionHeaderSize + 0x18);

                long need = offset;
                for (uint n = 0; n < entryCount; n++)
                {
                    CheckRange(image, need, 16);
                    int auxCount = ReadUInt16(image, need + 2);
                    long aux = need + ReadUInt32(image, need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        CheckRange(image, aux, 16);
                        ushort flags = ReadUInt16(image, aux + 4);
                        string name = ReadCString(image, stringTable + ReadUInt32(image, aux + 8));
                        if (versions.Contains(name) && (flags & VerFlagWeak) == 0)
                        {
                            WriteUInt16(image, aux + 4, (ushort)(flags | VerFlagWeak));
                            changed.Add(name);
                        }
                        uint nextAux = ReadUInt32(image, aux + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint next = ReadUInt32(image, need + 12);
                    if (next == 0) break;
                    need += next;
                }
            }
            return changed;
        }

        /// <summary>Patches a file in place, keeping its timestamp so incremental copies still skip it.</summary>
        public static IReadOnlyList<string> MarkWeakInFile(string path, ICollection<string> versions)
        {
            var image = File.ReadAllBytes(path);
            var changed = MarkWeak(image, versions);
            if (changed.Count > 0)
            {
                var stamp = File.GetLastWriteTimeUtc(path);
                var temp = path + ".seqdsl-tmp";
                File.WriteAllBytes(temp, image);
                File.SetLastWriteTimeUtc(temp, stamp);
                if (File.Exists(path)) File.Delete(path);
                File.Move(temp, path);
            }
            return changed;
        }

        private static void CheckRange(byte[] image, long offset, int length)
        {
            if (offset < 0 || offset + length > image.Length)
                throw new InvalidDataException("ELF structure points outside the file at offset " + offset);
        }

        private static ushort ReadUInt16(byte[] b, long o) { CheckRange(b, o, 2); return (ushort)(b[o] | b[o + 1] << 8); }
        private static uint ReadUInt32(byte[] b, long o) { CheckRange(b, o, 4); return (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24); }
        private static ulong ReadUInt64(byte[] b, long o) => ReadUInt32(b, o) | (ulong)ReadUInt32(b, o + 4) << 32;
        private static void WriteUInt16(byte[] b, long o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }

        private static string ReadCString(byte[] b, long o)
        {
            long end = o;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, (int)(end - o));
        }
    }

#if !SEQDSL_PATCHER_ONLY
    /// <summary>MSBuild task: marks the given version needs weak in each file.</summary>
    public sealed class SeqDslMarkVersionNeedsWeak : Microsoft.Build.Utilities.Task
    {
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        [Microsoft.Build.Framework.Required]
        public string Versions { get; set; } = "";

        public override bool Execute()
        {
            var versions = new HashSet<string>(Versions.Split(new[] { ';', ',' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (var file in Files)
            {
                try
                {
                    var changed = ElfVersionNeedPatcher.MarkWeakInFile(file.ItemSpec, versions);
                    if (changed.Count > 0)
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                            "SeqDsl: marked {0} weak in {1}", string.Join(", ", changed), file.ItemSpec);
                }
                catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning("SeqDsl: could not patch {0}: {1}", file.ItemSpec, e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
