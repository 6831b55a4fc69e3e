using TorchSharp;
using static TorchSharp.torch;

namespace SynCo.ML.Model;

/// <summary>
/// A MoCo v2 encoder: a <see cref="ResNet"/> backbone followed by a <see cref="ProjectionHead"/>.
/// </summary>
/// <remarks>
/// <para><see cref="forward"/> returns the un-normalised projection head(backbone(x)); <see cref="Features"/> returns the
/// backbone's pooled features.</para>
/// <para>The state dict is laid out like MoCo's <c>encoder_q</c> (a torchvision ResNet whose <c>fc</c> is replaced by the
/// MLP head): the backbone's keys without prefix (<c>conv1.weight</c>, <c>layer1.0.bn1.running_mean</c>, …) followed by
/// <c>fc.0.weight</c>, <c>fc.0.bias</c>, <c>fc.2.weight</c>, <c>fc.2.bias</c>. <see cref="Backbone"/> and <see cref="Head"/>
/// share those very modules, so the backbone can be exported or evaluated on its own.</para>
/// </remarks>
public sealed class ContrastiveEncoder : nn.Module<Tensor, Tensor>
{
    private readonly ResNet _backbone;
    private readonly ProjectionHead _head;

    /// <summary>Builds an encoder with fresh weights.</summary>
    /// <param name="options">Backbone options (copied).</param>
    /// <param name="imageHeight">Training image height in pixels (≥ 1); decides the automatic stem.</param>
    /// <param name="imageWidth">Training image width in pixels (≥ 1); decides the automatic stem.</param>
    /// <param name="headHiddenDim">Hidden width of the head (≥ 1); <c>null</c> (default) = the backbone's feature size, as in MoCo v2.</param>
    /// <param name="embeddingDim">Size of the projection (≥ 1; default 128).</param>
    /// <param name="initialization">
    /// Generator of all initial weights, so a seeded model does not depend on what else uses libtorch's global generator;
    /// null draws from the global one.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public ContrastiveEncoder(BackboneOptions options, int imageHeight, int imageWidth,
        int? headHiddenDim = null, int embeddingDim = ProjectionHead.DefaultOutputDim, Generator? initialization = null)
        : base(nameof(ContrastiveEncoder))
    {
        ArgumentNullException.ThrowIfNull(options);
        if (headHiddenDim is < 1)
            throw new ArgumentOutOfRangeException(nameof(headHiddenDim), headHiddenDim,
                "headHiddenDim must be at least 1, or null for the backbone's feature size.");
        if (embeddingDim < 1)
            throw new ArgumentOutOfRangeException(nameof(embeddingDim), embeddingDim, "embeddingDim must be at least 1.");

        _backbone = new ResNet(options, imageHeight, imageWidth, initialization: initialization);
        _head = new ProjectionHead(_backbone.FeatureDim, headHiddenDim ?? _backbone.FeatureDim, embeddingDim);
        WeightInitializer.Apply(_head, initialization);

        // MoCo layout: the backbone's children directly, the head as "fc".
        foreach (var (name, child) in _backbone.named_children())
            register_module(name, child);
        register_module("fc", _head);
    }

    /// <summary>The backbone (shares its modules with this encoder).</summary>
    public ResNet Backbone => _backbone;

    /// <summary>The projection head, registered as <c>fc</c>.</summary>
    public ProjectionHead Head => _head;

    /// <summary>Length of the backbone features.</summary>
    public int FeatureDim => _backbone.FeatureDim;

    /// <summary>Hidden width of the head.</summary>
    public int HeadHiddenDim => _head.HiddenDim;

    /// <summary>Length of the projection.</summary>
    public int EmbeddingDim => _head.OutputDim;

    /// <summary>Image height the encoder was built for.</summary>
    public int ImageHeight => _backbone.ImageHeight;

    /// <summary>Image width the encoder was built for.</summary>
    public int ImageWidth => _backbone.ImageWidth;

    /// <summary>The un-normalised projection head(backbone(x)), shape (B, <see cref="EmbeddingDim"/>).</summary>
    /// <param name="input">Normalised images (B, C, H, W).</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return _head.call(_backbone.call(input)).MoveToOuterDisposeScope();
    }

    /// <summary>The backbone's pooled features, shape (B, <see cref="FeatureDim"/>).</summary>
    /// <param name="input">Normalised images (B, C, H, W).</param>
    public Tensor Features(Tensor input) => _backbone.call(input);

    /// <summary>
    /// Builds a new encoder with the same architecture (options, image size, head sizes) and fresh weights on the
    /// default device, e.g. for the momentum key encoder, which then copies this encoder's weights
    /// (<c>key.load_state_dict(query.state_dict())</c>; the key order and shapes are identical).
    /// </summary>
    public ContrastiveEncoder CloneArchitecture() =>
        new(_backbone.Options, ImageHeight, ImageWidth, _head.HiddenDim, _head.OutputDim);

    /// <summary>Sets training or evaluation mode on the encoder, the backbone object and all shared modules.</summary>
    public override void train(bool train = true)
    {
        base.train(train);
        _backbone.train(train);
    }

    /// <summary>Components are registered explicitly in the constructor (MoCo layout); nothing is added by field name.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>Disposes the shared modules and the backbone wrapper.</summary>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _backbone.Dispose();
    }
}
