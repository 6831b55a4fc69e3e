namespace SynCo.ML.Contrastive;

/// <summary>
/// How hard one group of logits is for the queries: the mean cosine of its vectors to the query and the share of
/// the InfoNCE softmax denominator it takes (summed over the group, averaged over queries).
/// </summary>
/// <param name="Group">"positive", "queue", "hard-pool" (the N hardest real negatives, a subset of the queue) or a generator's name.</param>
/// <param name="MeanCosine">Mean q·v over the group's vectors and the batch.</param>
/// <param name="SoftmaxShare">Mean over queries of Σ exp(q·v/T) over the group ÷ the whole denominator, in [0, 1].</param>
/// <param name="PerQuery">Vectors per query in the group.</param>
public sealed record NegativeGroupStats(string Group, double MeanCosine, double SoftmaxShare, int PerQuery);
