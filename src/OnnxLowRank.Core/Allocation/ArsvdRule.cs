namespace OnnxLowRank.Core.Allocation;

/// <summary>How ARSVD measures what a rank keeps.</summary>
public enum ArsvdRule
{
    /// <summary>Share of squared singular values: sum_{i&lt;=j} s_i^2 / sum s_i^2.</summary>
    Energy,

    /// <summary>Share of spectral entropy: -sum_{i&lt;=j} p_i ln p_i / H with p_i = s_i / sum s.</summary>
    Entropy,
}
