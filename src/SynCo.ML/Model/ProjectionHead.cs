using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace SynCo.ML.Model;

/// <summary>
/// MoCo v2 projection head: Linear(in, hidden) → ReLU → Linear(hidden, out). The output is not normalised.
/// </summary>
/// <remarks>
/// The state-dict names are those of PyTorch's <c>nn.Sequential(Linear, ReLU, Linear)</c>: <c>0.weight</c>, <c>0.bias</c>,
/// <c>2.weight</c>, <c>2.bias</c>. Mounted as torchvision's <c>fc</c> (as MoCo v2 does with its <c>mlp</c> option), the keys
/// become <c>fc.0.*</c> and <c>fc.2.*</c>; <see cref="ContrastiveEncoder"/> mounts it that way.
/// Linear layers use PyTorch's default initialisation, like MoCo.
/// </remarks>
public sealed class ProjectionHead : nn.Module<Tensor, Tensor>
{
    /// <summary>Default output (embedding) size, MoCo's 128.</summary>
    public const int DefaultOutputDim = 128;

    [ComponentName(Name = "0")]
    private readonly Linear first;

    [ComponentName(Name = "2")]
    private readonly Linear second;

    /// <summary>Creates a head with fresh weights.</summary>
    /// <param name="inputDim">Features it takes (the backbone's <see cref="ResNet.FeatureDim"/>; at least 1).</param>
    /// <param name="hiddenDim">Width of the hidden layer (at least 1; MoCo v2 uses the input size).</param>
    /// <param name="outputDim">Embedding size (at least 1; default 128).</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1.</exception>
    public ProjectionHead(int inputDim, int hiddenDim, int outputDim = DefaultOutputDim) : base(nameof(ProjectionHead))
    {
        if (inputDim < 1) throw new ArgumentOutOfRangeException(nameof(inputDim), inputDim, "inputDim must be at least 1.");
        if (hiddenDim < 1) throw new ArgumentOutOfRangeException(nameof(hiddenDim), hiddenDim, "hiddenDim must be at least 1.");
        if (outputDim < 1) throw new ArgumentOutOfRangeException(nameof(outputDim), outputDim, "outputDim must be at least 1.");
        InputDim = inputDim;
        HiddenDim = hiddenDim;
        OutputDim = outputDim;
        first = nn.Linear(inputDim, hiddenDim);
        second = nn.Linear(hiddenDim, outputDim);
        RegisterComponents();
    }

    /// <summary>Features the head takes.</summary>
    public int InputDim { get; }

    /// <summary>Width of the hidden layer.</summary>
    public int HiddenDim { get; }

    /// <summary>Size of the projection.</summary>
    public int OutputDim { get; }

    /// <summary>The first linear layer (state-dict name <c>0</c>); a ReLU follows it.</summary>
    public Linear Hidden => first;

    /// <summary>The second linear layer (state-dict name <c>2</c>).</summary>
    public Linear Output => second;

    /// <summary>Projects features (B, <see cref="InputDim"/>) to (B, <see cref="OutputDim"/>).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return second.call(nn.functional.relu(first.call(input))).MoveToOuterDisposeScope();
    }
}
