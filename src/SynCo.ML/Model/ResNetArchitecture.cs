namespace SynCo.ML.Model;

/// <summary>
/// The residual network layouts the backbone can take. Layer names, block layouts and state-dict keys follow
/// torchvision's <c>resnet18</c>, <c>resnet34</c> and <c>resnet50</c> (v1.5: the stride of a bottleneck sits on its 3×3 conv);
/// <see cref="ResNet10"/> is torchvision's <c>ResNet</c> class with one BasicBlock per stage.
/// </summary>
public enum ResNetArchitecture
{
    /// <summary>BasicBlocks (two 3×3 convs, expansion 1), stages of [2, 2, 2, 2] blocks; 512·w output features.</summary>
    ResNet18 = 0,

    /// <summary>BasicBlocks (two 3×3 convs, expansion 1), stages of [3, 4, 6, 3] blocks; 512·w output features.</summary>
    ResNet34 = 1,

    /// <summary>Bottlenecks (1×1, 3×3, 1×1 convs, expansion 4), stages of [3, 4, 6, 3] blocks; 2048·w output features.</summary>
    ResNet50 = 2,

    /// <summary>
    /// BasicBlocks (two 3×3 convs, expansion 1), stages of [1, 1, 1, 1] blocks; 512·w output features. Half of
    /// ResNet-18's convolutions, so about twice the images per second on a CPU; in PyTorch it is
    /// <c>torchvision.models.resnet.ResNet(BasicBlock, [1, 1, 1, 1])</c>, with the same state-dict keys up to
    /// <c>layerN.0</c>. On a short CPU budget it learns better features than ResNet-18 in the same time
    /// (docs/benchmarks.md, Fashion-MNIST).
    /// </summary>
    ResNet10 = 3,
}
