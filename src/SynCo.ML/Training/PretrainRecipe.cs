namespace SynCo.ML.Training;

/// <summary>Published hyper-parameter sets (see docs/algorithms.md).</summary>
public enum PretrainRecipe
{
    /// <summary>
    /// The official MoCo CIFAR-10 demo, for images up to ~64 px: K = 4096, m = 0.99, T = 0.1, lr 0.06 per 512 images
    /// (0.03 per 256), weight decay 5e-4, crops of scale 0.08–1, no blur, split batch-norm in 8 groups.
    /// </summary>
    SmallImages,

    /// <summary>MoCo v2 on ImageNet: K = 65536, m = 0.999, T = 0.2, lr 0.03 per 256 images, weight decay 1e-4, crops 0.2–1, blur.</summary>
    ImageNet,
}
