
namespace OnnxLowRank.Core.Factorization;

/// <summary>Which of a Conv's two factors holds its kernel (ALGORITHMS.md section 2 describes the first, section 8 the choice).</summary>
public enum FactorOrder
{
    /// <summary>
    /// The k x k (grouped, sliced) Conv down to rank j, then a 1x1 Conv up to the outputs: W unfolded as
    /// f x (c k k). Gemm and MatMul pairs are always of this kind.
    /// </summary>
    KernelFirst,

    /// <summary>
    /// A 1x1 Conv down to rank j, then the k x k Conv up to the outputs: W unfolded as (f k k) x c
    /// (<see cref="InputFirstConv"/>).
    /// </summary>
    InputFirst,
}
