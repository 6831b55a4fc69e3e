namespace SynCo.ML.Contrastive;

/// <summary>
/// The MoCo v2 objective's settings, and their only home: the queue (K), the key encoder's momentum (m), the InfoNCE
/// temperature (T), the symmetric loss, key shuffling and the projection head. A new instance holds MoCo v2's
/// ImageNet values; <see cref="Training.PretrainOptions.ApplyRecipe"/> switches to another published recipe.
/// </summary>
/// <example>
/// <code>
/// var moco = new MoCoOptions { QueueSize = 4096, Momentum = 0.99, Temperature = 0.1 };   // the CIFAR-10 demo
/// var engine = new MoCoEngine(query, key, moco, synthesizer, torch.CPU, seed: 1);
/// </code>
/// </example>
public sealed class MoCoOptions
{
    /// <summary>K, keys in the queue; positive, and at least the keys enqueued per step. Default 65536 (ImageNet recipe; small-image recipe 4096).</summary>
    public int QueueSize { get; set; } = Defaults.QueueSize;

    /// <summary>m, momentum of the key encoder's moving average, in [0, 1]. Default 0.999 (small-image recipe 0.99).</summary>
    public double Momentum { get; set; } = Defaults.KeyMomentum;

    /// <summary>T, the InfoNCE temperature; &gt; 0. Default 0.2 (small-image recipe 0.1).</summary>
    public double Temperature { get; set; } = Defaults.Temperature;

    /// <summary>Symmetric loss ½(L(v1→v2) + L(v2→v1)): both views serve as query; about twice the cost per step. Default false.</summary>
    public bool Symmetric { get; set; }

    /// <summary>Shuffle the key batch before the key encoder (the single-device shuffle-BN; pair with split batch-norm). Default true.</summary>
    public bool ShuffleKeys { get; set; } = true;

    /// <summary>Size of the contrastive embedding: the projection head's output and the queue's key size; positive. Default 128.</summary>
    public int EmbeddingDim { get; set; } = Defaults.EmbeddingDim;

    /// <summary>Hidden width of the MoCo v2 projection head (an MLP); positive, or null for the backbone's feature size (default).</summary>
    public int? HeadHiddenDim { get; set; }

    /// <summary>Keys enqueued per step for a batch of <paramref name="batchSize"/> images (twice as many with <see cref="Symmetric"/>).</summary>
    public int KeysPerStep(int batchSize) => Symmetric ? 2 * batchSize : batchSize;

    /// <summary>Checks every value; messages say what is legal.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        Guard.Positive(QueueSize, nameof(QueueSize));
        Guard.InRange(Momentum, 0, 1, nameof(Momentum));
        Guard.Positive(Temperature, nameof(Temperature));
        Guard.Positive(EmbeddingDim, nameof(EmbeddingDim));
        if (HeadHiddenDim is { } hidden) Guard.Positive(hidden, nameof(HeadHiddenDim));
    }

    /// <summary>An independent copy.</summary>
    public MoCoOptions Clone() => (MoCoOptions)MemberwiseClone();
}
