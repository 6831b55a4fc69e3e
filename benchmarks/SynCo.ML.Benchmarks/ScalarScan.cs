using System.CommandLine;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using TorchSharp;

namespace SynCo.ML.Benchmarks;

/// <summary>
/// <c>scalar-scan</c>: the calls in SynCo.ML.dll that hand libtorch a TorchSharp <see cref="Scalar"/> that only a
/// finalizer frees: <c>Scalar.op_Implicit</c> (a number passed where a Scalar is taken), and TorchSharp methods whose own
/// body makes one (<c>add(tensor)</c> is <c>add(tensor, 1)</c>). A garbage collection during such a call can free the
/// Scalar libtorch is reading (docs/benchmarks.md, the estimator's capped fit). Methods are matched by name and
/// parameter count, so an overload that makes no Scalar can be listed beside one that does.
/// </summary>
internal static class ScalarScan
{
    /// <summary>The <c>scalar-scan</c> subcommand.</summary>
    public static Command Command()
    {
        var command = new Command("scalar-scan", "List SynCo.ML's calls that pass TorchSharp a Scalar only a finalizer frees, per method, and their total.");
        command.SetAction(_ => Run(typeof(SynCo.ML.Model.ResNet).Assembly.Location, typeof(torch).Assembly.Location));
        return command;
    }

    private static int Run(string ours, string torchSharp)
    {
        var hidden = Methods(torchSharp).Where(m => m.Calls.Any(MakesScalar)).Select(m => m.Key).ToHashSet();
        int total = 0;
        foreach (var m in Methods(ours).Where(m => !m.Key.Contains("::.cctor/", StringComparison.Ordinal)))   // a static Scalar is never finalized
        {
            var sites = m.Calls.Where(c => MakesScalar(c) || hidden.Contains(c)).ToList();
            if (sites.Count == 0) continue;
            total += sites.Count;
            Console.WriteLine($"{m.Namespace}.{m.Key}: {sites.Count}  [{string.Join(", ", sites.GroupBy(s => s).Select(g => $"{g.Key} x{g.Count()}"))}]");
        }
        Console.WriteLine($"calls that make a finalizer-only Scalar: {total} (target 0)");
        return 0;
    }

    /// <summary>Every method with a body in an assembly: "Type::Method/parameter count", its namespace, and its calls.</summary>
    private static List<(string Key, string Namespace, List<string> Calls)> Methods(string assembly)
    {
        using var fs = File.OpenRead(assembly);
        using var pe = new PEReader(fs);
        var md = pe.GetMetadataReader();
        var methods = new List<(string, string, List<string>)>();
        foreach (var th in md.TypeDefinitions)
        {
            var t = md.GetTypeDefinition(th);
            foreach (var mh in t.GetMethods())
            {
                var m = md.GetMethodDefinition(mh);
                if (m.RelativeVirtualAddress == 0) continue;
                methods.Add(($"{md.GetString(t.Name)}::{md.GetString(m.Name)}/{m.DecodeSignature(new Sig(), null).ParameterTypes.Length}",
                    md.GetString(t.Namespace), Calls(md, pe.GetMethodBody(m.RelativeVirtualAddress)).ToList()));
            }
        }
        return methods;
    }

    private static bool MakesScalar(string call) => call.StartsWith("Scalar::op_Implicit/", StringComparison.Ordinal) || call.Contains("::ToScalar/", StringComparison.Ordinal);

    /// <summary>"Type::Method/parameter count" of every call, callvirt and newobj in a method body.</summary>
    private static IEnumerable<string> Calls(MetadataReader md, MethodBodyBlock body)
    {
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int op = il.ReadByte();
            if (op == 0xFE) { op = 0xFE00 | il.ReadByte(); }
            int operand = Operand(op);
            if (op == 0x28 || op == 0x6F || op == 0x73) // call, callvirt, newobj
            {
                var h = MetadataTokens.EntityHandle(il.ReadInt32());
                string? name = Name(md, h);
                if (name != null) yield return name;
            }
            else if (op == 0x45) { int n = il.ReadInt32(); il.Offset += 4 * n; }
            else il.Offset += operand;
        }
    }

    private static string? Name(MetadataReader md, EntityHandle h)
    {
        if (h.Kind == HandleKind.MemberReference)
        {
            var r = md.GetMemberReference((MemberReferenceHandle)h);
            string parent = r.Parent.Kind == HandleKind.TypeReference ? md.GetString(md.GetTypeReference((TypeReferenceHandle)r.Parent).Name) : "?";
            int n = r.GetKind() == MemberReferenceKind.Method ? r.DecodeMethodSignature(new Sig(), null).ParameterTypes.Length : 0;
            return $"{parent}::{md.GetString(r.Name)}/{n}";
        }
        if (h.Kind == HandleKind.MethodDefinition)
        {
            var d = md.GetMethodDefinition((MethodDefinitionHandle)h);
            return $"{md.GetString(md.GetTypeDefinition(d.GetDeclaringType()).Name)}::{md.GetString(d.Name)}/{d.DecodeSignature(new Sig(), null).ParameterTypes.Length}";
        }
        if (h.Kind == HandleKind.MethodSpecification)
            return Name(md, md.GetMethodSpecification((MethodSpecificationHandle)h).Method);
        return null;
    }

    /// <summary>Bytes of inline operand after each IL opcode (ECMA-335 III).</summary>
    private static int Operand(int op) => op switch
    {
        >= 0x00 and <= 0x0D => 0, 0x0E or 0x0F or 0x10 or 0x11 or 0x12 or 0x13 => 1, 0x14 => 0, 0x15 or 0x16 or 0x17 or 0x18 or 0x19 or 0x1A or 0x1B or 0x1C or 0x1D or 0x1E => 0,
        0x1F => 1, 0x20 => 4, 0x21 => 8, 0x22 => 4, 0x23 => 8, 0x25 or 0x26 => 0, 0x27 or 0x28 or 0x29 => 4, 0x2A => 0,
        >= 0x2B and <= 0x37 => 1, >= 0x38 and <= 0x44 => 4, >= 0x46 and <= 0x6E => 0, 0x6F or 0x70 or 0x71 or 0x72 or 0x73 or 0x74 or 0x75 => 4,
        0x79 => 4, 0x7B or 0x7C or 0x7D or 0x7E or 0x7F or 0x80 or 0x81 => 4, 0x8C or 0x8D => 4, 0x8E => 0, 0x8F => 4, >= 0x90 and <= 0xA2 => 0,
        0xA3 or 0xA4 or 0xA5 => 4, 0xC2 or 0xC6 => 4, 0xD0 => 4, 0xDD => 4, 0xDE => 1,
        0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C => 4, 0xFE09 or 0xFE0A or 0xFE0B or 0xFE0C or 0xFE0D or 0xFE0E => 2, 0xFE12 => 1, 0xFE19 => 1,
        _ => 0,
    };

    /// <summary>Type names only, enough to count parameters.</summary>
    private sealed class Sig : ISignatureTypeProvider<string, object?>
    {
        public string GetArrayType(string e, ArrayShape s) => e + "[]"; public string GetByReferenceType(string e) => e + "&";
        public string GetFunctionPointerType(MethodSignature<string> s) => "fp"; public string GetGenericInstantiation(string g, System.Collections.Immutable.ImmutableArray<string> a) => g;
        public string GetGenericMethodParameter(object? c, int i) => "M"; public string GetGenericTypeParameter(object? c, int i) => "T";
        public string GetModifiedType(string m, string u, bool r) => u; public string GetPinnedType(string e) => e; public string GetPointerType(string e) => e + "*";
        public string GetPrimitiveType(PrimitiveTypeCode t) => t.ToString(); public string GetSZArrayType(string e) => e + "[]";
        public string GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle h, byte k) => r.GetString(r.GetTypeDefinition(h).Name);
        public string GetTypeFromReference(MetadataReader r, TypeReferenceHandle h, byte k) => r.GetString(r.GetTypeReference(h).Name);
        public string GetTypeFromSpecification(MetadataReader r, object? c, TypeSpecificationHandle h, byte k) => "spec";
    }
}
