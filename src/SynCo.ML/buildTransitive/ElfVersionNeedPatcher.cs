// Weakens ELF symbol-version requirements that only a link-time marker symbol depends on.
//
// Why: TorchSharp 0.107.0's libLibTorchSharp.so requires GLIBCXX_3.4.32 (GCC 13's libstdc++) only because
// GCC 13's <iostream> emits the marker symbol _ZSt21ios_base_library_initv; nothing relocates against it.
// Debian 12 ships GCC 12's libstdc++ (up to GLIBCXX_3.4.30), so the loader refuses the library. Setting
// VER_FLG_WEAK (0x2) on that one Vernaux entry turns the hard failure into a loader warning.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (SynCo.ML.targets, with the Task class)
// and into the tests (SYNCO_ELF_PATCHER_LIBRARY defined, without it). It needs nothing beyond the SDK.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace SynCo.ML.Build
{
    /// <summary>Outcome of inspecting or patching one ELF file.</summary>
    public sealed class ElfPatchResult
    {
        /// <summary>Requirements whose weak flag this call set.</summary>
        public List<string> Weakened { get; } = new List<string>();
        /// <summary>Requirements that were already weak (nothing to do).</summary>
        public List<string> AlreadyWeak { get; } = new List<string>();
        /// <summary>Requirements left strong because real symbols depend on them (weakening would be unsafe).</summary>
        public List<string> Refused { get; } = new List<string>();
    }

    /// <summary>Reads and edits the <c>.gnu.version_r</c> section of a little-endian ELF64 file in memory.</summary>
    public static class ElfVersionNeedPatcher
    {
        private const uint ShtDynSym = 11, ShtGnuVerneed = 0x6ffffffe, ShtGnuVersym = 0x6fffffff;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>
        /// Sets VER_FLG_WEAK on every requirement named in <paramref name="versionNames"/>, provided every dynamic
        /// symbol bound to that version is one of <paramref name="markerSymbols"/>. Files that are not ELF64 LE,
        /// or that lack the requirement, are left untouched.
        /// </summary>
        public static ElfPatchResult Patch(byte[] elf, ICollection<string> versionNames, ICollection<string> markerSymbols)
        {
            var result = new ElfPatchResult();
            if (!IsElf64LittleEndian(elf)) return result;
            ulong shoff = U64(elf, 0x28);
            int shentsize = U16(elf, 0x3A), shnum = U16(elf, 0x3C);
            if (shoff == 0 || shentsize < 64 || shoff + (ulong)shnum * (ulong)shentsize > (ulong)elf.Length) return result;

            int verneed = -1, versym = -1, dynsym = -1;
            for (int i = 0; i < shnum; i++)
            {
                uint type = U32(elf, (int)shoff + i * shentsize + 4);
                if (type == ShtGnuVerneed) verneed = i;
                else if (type == ShtGnuVersym) versym = i;
                else if (type == ShtDynSym) dynsym = i;
            }
            if (verneed < 0) return result;

            Section need = ReadSection(elf, shoff, shentsize, verneed);
            Section strtab = ReadSection(elf, shoff, shentsize, (int)need.Link);
            long entry = need.Offset;
            for (uint n = 0; n < need.Info && entry < need.Offset + need.Size; n++)
            {
                int vnCnt = U16(elf, (int)entry + 2);
                long aux = entry + U32(elf, (int)entry + 8);
                for (int a = 0; a < vnCnt; a++)
                {
                    string name = CString(elf, strtab.Offset + U32(elf, (int)aux + 8));
                    if (versionNames.Contains(name))
                    {
                        int flagsAt = (int)aux + 4;
                        ushort flags = (ushort)U16(elf, flagsAt);
                        ushort index = (ushort)U16(elf, (int)aux + 6);
                        if ((flags & VerFlgWeak) != 0) result.AlreadyWeak.Add(name);
                        else if (!OnlyMarkersUse(elf, shoff, shentsize, versym, dynsym, index, markerSymbols)) result.Refused.Add(name);
                        else
                        {
                            flags |= VerFlgWeak;
                            elf[flagsAt] = (byte)flags;
                            elf[flagsAt + 1] = (byte)(flags >> 8);
                            result.Weakened.Add(name);
                        }
                    }
                    uint next = U32(elf, (int)aux + 12);
                    if (next == 0) break;
                    aux += next;
                }
                uint vnNext = U32(elf, (int)entry + 12);
                if (vnNext == 0) break;
                entry += vnNext;
            }
            return result;
        }

        /// <summary>Returns the flags of the named version requirement, or null when the file does not carry it.</summary>
        public static ushort? RequirementFlags(byte[] elf, string versionName)
        {
            var copy = (byte[])elf.Clone();
            var r = Patch(copy, new[] { versionName }, Array.Empty<string>());
            if (r.AlreadyWeak.Count > 0) return VerFlgWeak;
            if (r.Refused.Count > 0 || r.Weakened.Count > 0) return 0;
            return null;
        }

        /// <summary>True when every dynamic symbol whose version index is <paramref name="index"/> is a marker.</summary>
        private static bool OnlyMarkersUse(byte[] elf, ulong shoff, int shentsize, int versym, int dynsym, ushort index, ICollection<string> markers)
        {
            if (versym < 0 || dynsym < 0) return false;
            Section vs = ReadSection(elf, shoff, shentsize, versym);
            Section ds = ReadSection(elf, shoff, shentsize, dynsym);
            Section names = ReadSection(elf, shoff, shentsize, (int)ds.Link);
            long count = Math.Min(vs.Size / 2, ds.Size / 24);
            for (long s = 0; s < count; s++)
            {
                if ((U16(elf, (int)(vs.Offset + 2 * s)) & 0x7fff) != index) continue;
                string sym = CString(elf, names.Offset + U32(elf, (int)(ds.Offset + 24 * s)));
                if (!markers.Contains(sym)) return false;
            }
            return true;
        }

        private struct Section { public long Offset, Size; public uint Link, Info; }

        private static Section ReadSection(byte[] elf, ulong shoff, int shentsize, int i)
        {
            int h = (int)shoff + i * shentsize;
            var s = new Section { Link = U32(elf, h + 40), Info = U32(elf, h + 44), Offset = (long)U64(elf, h + 24), Size = (long)U64(elf, h + 32) };
            if (s.Offset < 0 || s.Size < 0 || s.Offset + s.Size > elf.Length) throw new InvalidDataException("ELF section " + i + " lies outside the file.");
            return s;
        }

        private static bool IsElf64LittleEndian(byte[] b) =>
            b.Length >= 64 && b[0] == 0x7f && b[1] == (byte)'E' && b[2] == (byte)'L' && b[3] == (byte)'F' && b[4] == 2 && b[5] == 1;

        private static int U16(byte[] b, int o) => b[o] | (b[o + 1] << 8);
        private static uint U32(byte[] b, int o) => (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
        private static ulong U64(byte[] b, int o) => U32(b, o) | ((ulong)U32(b, o + 4) << 32);

        private static string CString(byte[] b, long o)
        {
            int end = (int)o;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)o, end - (int)o);
        }
    }

#if !SYNCO_ELF_PATCHER_LIBRARY
    /// <summary>MSBuild task: applies <see cref="ElfVersionNeedPatcher"/> to copied native libraries, in place.</summary>
    public sealed class SynCoWeakenElfVersionNeeds : Microsoft.Build.Utilities.Task
    {
        /// <summary>Native libraries to patch (copies in an output folder, never the NuGet cache).</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();
        /// <summary>Semicolon-separated version names to weaken.</summary>
        public string VersionNames { get; set; } = "GLIBCXX_3.4.32";
        /// <summary>Semicolon-separated symbols that may depend on those versions (link-time markers only).</summary>
        public string MarkerSymbols { get; set; } = "_ZSt21ios_base_library_initv";

        public override bool Execute()
        {
            var versions = new HashSet<string>(VersionNames.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
            var markers = new HashSet<string>(MarkerSymbols.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries));
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                byte[] bytes = File.ReadAllBytes(path);
                ElfPatchResult r = ElfVersionNeedPatcher.Patch(bytes, versions, markers);
                foreach (string refused in r.Refused)
                    Log.LogWarning("SynCo.ML: {0} needs {1} for real symbols; left unchanged. Install a libstdc++ that provides it.", path, refused);
                if (r.Weakened.Count == 0) continue;
                string temp = path + ".synco-tmp";
                File.WriteAllBytes(temp, bytes);
                File.Copy(temp, path, true);
                File.Delete(temp);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                    "SynCo.ML: weakened {0} version requirement(s) ({1}) in {2}", r.Weakened.Count, string.Join(", ", r.Weakened), path);
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
