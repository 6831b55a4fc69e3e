using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;

namespace SynCo.ML.Onnx;

/// <summary>
/// Collects the nodes and initializers (float32 weights, int64 shapes) of an ONNX graph (OnnxSharp message types) and hands out unique names.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public List<NodeProto> Nodes { get; } = new();

    public List<TensorProto> Initializers { get; } = new();

    /// <summary>Reserves a name that must stay as it is (graph input and output).</summary>
    public void Reserve(string name)
    {
        if (!_names.Add(name))
            throw new InvalidOperationException($"The ONNX name '{name}' is used twice.");
    }

    /// <summary>Adds a float32 initializer stored as little-endian raw_data and returns its (unique) name.</summary>
    public string Initializer(string name, float[] data, params long[] dims)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count != data.Length)
            throw new InvalidOperationException($"Initializer '{name}': {data.Length} values do not fill shape [{string.Join(",", dims)}].");
        name = Unique(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.RawData = ByteString.CopyFrom(LittleEndianBytes(data));
        Initializers.Add(tensor);
        return name;
    }

    /// <summary>Adds a 1-D int64 initializer (a shape or axes input) and returns its (unique) name.</summary>
    public string Int64Initializer(string name, params long[] values)
    {
        name = Unique(name);
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Initializers.Add(tensor);
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        name = Unique(name);
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.Add(name);
        node.Attribute.AddRange(attributes);
        Nodes.Add(node);
        return name;
    }

    /// <summary>Renames the output of the last node (which nothing else consumes) to the graph's output name.</summary>
    public void RenameLastOutput(string outputName)
    {
        NodeProto last = Nodes[^1];
        last.Output[0] = outputName;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private string Unique(string name)
    {
        string candidate = name;
        for (int i = 1; !_names.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    private static byte[] LittleEndianBytes(float[] data)
    {
        byte[] bytes = MemoryMarshal.AsBytes(data.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> words = MemoryMarshal.Cast<byte, int>(bytes.AsSpan());
            for (int i = 0; i < words.Length; i++) words[i] = BinaryPrimitives.ReverseEndianness(words[i]);
        }
        return bytes;
    }
}
