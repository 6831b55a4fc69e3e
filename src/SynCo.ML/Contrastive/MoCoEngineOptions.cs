namespace SynCo.ML.Contrastive;

/// <summary>Settings of the MoCo objective itself (the recipe presets live in <see cref="SynCo.ML.Training.PretrainOptions"/>).</summary>
public sealed class MoCoEngineOptions
{
    /// <summary>K, keys in the queue; positive. ImageNet recipe 65536, small-image recipe 4096.</summary>
    public int QueueSize { get; set; } = 65536;

    /// <summary>Dimension of the projection (key) vectors; positive. Default 128.</summary>
    public int EmbeddingDim { get; set; } = 128;

    /// <summary>m of the key encoder's EMA, in [0, 1]. ImageNet 0.999, small images 0.99.</summary>
    public double Momentum { get; set; } = 0.999;

    /// <summary>T, the softmax temperature; &gt; 0. MoCo v2 0.2, CIFAR demo 0.1.</summary>
    public double Temperature { get; set; } = 0.2;

    /// <summary>Symmetric loss ½(L(v1→v2) + L(v2→v1)); worth about 3 points of kNN accuracy on CIFAR-10 at twice the cost.</summary>
    public bool Symmetric { get; set; }

    /// <summary>Shuffle the key batch before the key encoder (effective together with split batch-norm).</summary>
    public bool ShuffleKeys { get; set; } = true;

    /// <summary>Checks every value; messages say what is legal.</summary>
    public void Validate()
    {
        Guard.Positive(QueueSize, nameof(QueueSize));
        Guard.Positive(EmbeddingDim, nameof(EmbeddingDim));
        Guard.InRange(Momentum, 0, 1, nameof(Momentum));
        Guard.Positive(Temperature, nameof(Temperature));
    }
}
