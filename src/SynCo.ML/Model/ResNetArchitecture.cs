namespace SynCo.ML.Model;

/// <summary>
/// The residual network layouts the backbone can take. Layer names, block layouts and state-dict keys follow
/// torchvision's <c>resnet18</c>, <c>resnet34</c> and <c>resnet50</c> (v1.5: the stride of a bottleneck sits on its 3×3 conv).
/// </summary>
public enum ResNetArchitecture
{
    /// <summary>BasicBlocks (two 3×3 convs, expansion 1), stages of [2, 2, 2, 2] blocks; 512·w output features.</summary>
    ResNet18 = 0,

    /// <summary>BasicBlocks (two 3×3 convs, expansion 1), stages of [3, 4, 6, 3] blocks; 512·w output features.</summary>
    ResNet34 = 1,

    /// <summary>Bottlenecks (1×1, 3×3, 1×1 convs, expansion 4), stages of [3, 4, 6, 3] blocks; 2048·w output features.</summary>
    ResNet50 = 2,
}
