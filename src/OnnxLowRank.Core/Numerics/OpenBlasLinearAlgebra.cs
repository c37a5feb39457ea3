namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// Dense kernels from OpenBLAS: dsyrk for Gram matrices, dgemm for products, dsyevd for eigenvalues only and
/// dsyevr (MRRR) for eigenvectors. Every call allocates its own buffers, so the class is re-entrant.
/// Concurrency: threaded OpenBLAS called from several threads at once oversubscribes the cores and slowed a
/// Parallel.ForEach over layers a hundredfold on a busy 2-core machine. So while <see cref="ThreadCount"/> is above 1,
/// calls run one at a time, each on all OpenBLAS threads; with ThreadCount = 1 they run concurrently, one core each.
/// Callers parallelise over layers, which measured faster than serialised threaded calls (docs/benchmarks.md), so
/// ThreadCount starts at 1 unless OPENBLAS_NUM_THREADS says otherwise.
/// </summary>
public sealed unsafe class OpenBlasLinearAlgebra : ILinearAlgebraBackend
{
    private const byte Lower = (byte)'L';
    private const byte NoTranspose = (byte)'N';
    private const byte Transpose = (byte)'T';

    private readonly OpenBlasLibrary library;
    private readonly ReaderWriterLockSlim threadCountGate = new();
    private readonly Lock exclusiveCall = new();
    private int threadCount;

    private OpenBlasLinearAlgebra(OpenBlasLibrary library)
    {
        this.library = library;
        if (Environment.GetEnvironmentVariable("OPENBLAS_NUM_THREADS") is null)
            library.SetNumThreads(1);
        threadCount = library.GetNumThreads();
    }

    public string Name => "OpenBLAS";

    /// <summary>The file name OpenBLAS was loaded under.</summary>
    public string LibraryName => library.Name;

    /// <summary>
    /// OpenBLAS's thread count (process-wide; initially 1, or OPENBLAS_NUM_THREADS when set). Above 1, calls are
    /// serialised; at 1, they run concurrently. Changing it waits for calls in flight to finish.
    /// </summary>
    public int ThreadCount
    {
        get => Volatile.Read(ref threadCount);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            threadCountGate.EnterWriteLock();
            try
            {
                library.SetNumThreads(value);
                threadCount = library.GetNumThreads();
            }
            finally
            {
                threadCountGate.ExitWriteLock();
            }
        }
    }

    /// <summary>
    /// Loads OpenBLAS, or returns null with the reason it could not be used. One instance per process
    /// (<see cref="LinearAlgebra.OpenBlas"/>), since the call gate guards process-wide OpenBLAS state.
    /// </summary>
    internal static OpenBlasLinearAlgebra? TryCreate(out string? failure)
    {
        var library = OpenBlasLibrary.TryLoad(out failure);
        return library is null ? null : new OpenBlasLinearAlgebra(library);
    }

    public double[] Eigenvalues(int n, double[] symmetricRowMajor)
    {
        SymmetricInput.Check(n, symmetricRowMajor);
        return Call(() => Dsyevd(n, symmetricRowMajor));
    }

    public (double[] Values, double[] VectorsRowMajor) Decompose(int n, double[] symmetricRowMajor)
    {
        SymmetricInput.Check(n, symmetricRowMajor);
        var (values, z) = Call(() => Dsyevr(n, symmetricRowMajor, n));
        // z holds the vectors as columns in column-major order; the row-major view wants them as columns too.
        var vectors = new double[z.Length];
        for (var k = 0; k < n; k++)
            for (var i = 0; i < n; i++)
                vectors[i * n + k] = z[k * n + i];
        return (values, vectors);
    }

    public (double[] Values, double[] VectorsRowMajor) LargestEigenpairs(int n, double[] symmetricRowMajor, int count)
    {
        SymmetricInput.Check(n, symmetricRowMajor);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, n);
        var (ascending, z) = Call(() => Dsyevr(n, symmetricRowMajor, count));
        var values = new double[count];
        var vectors = new double[n * count];
        for (var k = 0; k < count; k++)
        {
            var source = count - 1 - k;
            values[k] = ascending[source];
            for (var i = 0; i < n; i++)
                vectors[i * count + k] = z[source * n + i];
        }
        return (values, vectors);
    }

    public void AddRowGram(RowMajorMatrix a, double[] target)
    {
        int n = a.Rows, k = a.Columns;
        if (target.Length != n * n)
            throw new ArgumentException($"A {n} x {n} Gram target needs {n * n} values, got {target.Length}.", nameof(target));
        if (n == 0 || k == 0)
            return;
        // Row-major A is column-major A^T (k x n, leading dimension k), so dsyrk with trans = 'T' gives A A^T.
        Call(() => Syrk(Transpose, n, k, a.Values, target));
    }

    public void AddRowProduct(RowMajorMatrix a, RowMajorMatrix b, double[] target)
    {
        var (m, k, n) = ProductShape.Of(a, false, b, true);
        ProductShape.CheckTarget(m, n, target);
        if (m == 0 || n == 0 || k == 0)
            return;
        Call(() => Gemm(a, false, b, true, target, m, n, k, beta: 1));
    }

    public double[] ColumnGram(RowMajorMatrix a)
    {
        int n = a.Columns, k = a.Rows;
        var target = new double[checked(n * n)];
        if (n == 0 || k == 0)
            return target;
        // Column-major A^T (n x k) times its transpose is A^T A.
        return Call(() => Syrk(NoTranspose, n, k, a.Values, target));
    }

    public RowMajorMatrix Multiply(RowMajorMatrix a, bool transposeA, RowMajorMatrix b, bool transposeB)
    {
        var (m, k, n) = ProductShape.Of(a, transposeA, b, transposeB);
        var c = new RowMajorMatrix(m, n);
        if (m == 0 || n == 0 || k == 0)
            return c;
        Call(() => Gemm(a, transposeA, b, transposeB, c.Values, m, n, k, beta: 0));
        return c;
    }

    /// <summary>Runs a native call under the concurrency rule described on the class.</summary>
    private T Call<T>(Func<T> native)
    {
        threadCountGate.EnterReadLock();
        try
        {
            if (threadCount == 1)
                return native();
            lock (exclusiveCall)
                return native();
        }
        finally
        {
            threadCountGate.ExitReadLock();
        }
    }

    private double[] Dsyevd(int n, double[] symmetricRowMajor)
    {
        if (n == 0)
            return [];
        var a = (double[])symmetricRowMajor.Clone();
        var values = new double[n];
        byte jobz = (byte)'N', uplo = Lower;
        int lda = n, info = 0, lwork = -1, liwork = -1, iworkSize = 0;
        double workSize = 0;
        fixed (double* pa = a, pw = values)
        {
            library.Dsyevd(&jobz, &uplo, &n, pa, &lda, pw, &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1);
            var (work, iwork) = Workspace("dsyevd", info, workSize, iworkSize, out lwork, out liwork);
            fixed (double* pwork = work)
            fixed (int* piwork = iwork)
                library.Dsyevd(&jobz, &uplo, &n, pa, &lda, pw, pwork, &lwork, piwork, &liwork, &info, 1, 1);
        }
        ThrowOnFailure("dsyevd", info);
        return values;
    }

    /// <summary>C = op(A) op(B) + beta C for the m x n row-major C.</summary>
    private double[] Gemm(RowMajorMatrix a, bool transposeA, RowMajorMatrix b, bool transposeB, double[] c, int m, int n, int k, double beta)
    {
        // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T, and row-major buffers are the transposes.
        byte tb = transposeB ? Transpose : NoTranspose, ta = transposeA ? Transpose : NoTranspose;
        int ldb = b.Columns, lda = a.Columns, ldc = n;
        double alpha = 1;
        fixed (double* pa = a.Values, pb = b.Values, pc = c)
            library.Dgemm(&tb, &ta, &n, &m, &k, &alpha, pb, &ldb, pa, &lda, &beta, pc, &ldc, 1, 1);
        return c;
    }

    private double[] Syrk(byte trans, int n, int k, double[] source, double[] target)
    {
        byte uplo = Lower;
        int lda = trans == Transpose ? k : n, ldc = n;
        double alpha = 1, beta = 1;
        fixed (double* pa = source, pc = target)
            library.Dsyrk(&uplo, &trans, &n, &k, &alpha, pa, &lda, &beta, pc, &ldc, 1, 1);
        // The column-major lower triangle is the row-major upper one; mirror it down.
        for (var r = 1; r < n; r++)
            for (var c = 0; c < r; c++)
                target[r * n + c] = target[c * n + r];
        return target;
    }

    /// <summary>The <paramref name="count"/> largest eigenpairs, ascending, vectors column-major (n x count).</summary>
    private (double[] Values, double[] Vectors) Dsyevr(int n, double[] symmetric, int count)
    {
        if (n == 0 || count == 0)
            return ([], []);
        var a = (double[])symmetric.Clone();
        var values = new double[n];
        var z = new double[checked(n * count)];
        var support = new int[2 * count];
        byte jobz = (byte)'V', range = count == n ? (byte)'A' : (byte)'I', uplo = Lower;
        int lda = n, ldz = n, il = n - count + 1, iu = n, found = 0, info = 0, lwork = -1, liwork = -1, iworkSize = 0;
        double vl = 0, vu = 0, abstol = 0, workSize = 0;
        fixed (double* pa = a, pw = values, pz = z)
        fixed (int* psupport = support)
        {
            library.Dsyevr(&jobz, &range, &uplo, &n, pa, &lda, &vl, &vu, &il, &iu, &abstol, &found, pw, pz, &ldz, psupport,
                &workSize, &lwork, &iworkSize, &liwork, &info, 1, 1, 1);
            var (work, iwork) = Workspace("dsyevr", info, workSize, iworkSize, out lwork, out liwork);
            fixed (double* pwork = work)
            fixed (int* piwork = iwork)
                library.Dsyevr(&jobz, &range, &uplo, &n, pa, &lda, &vl, &vu, &il, &iu, &abstol, &found, pw, pz, &ldz, psupport,
                    pwork, &lwork, piwork, &liwork, &info, 1, 1, 1);
        }
        ThrowOnFailure("dsyevr", info);
        if (found != count)
            throw new ArithmeticException($"dsyevr returned {found} eigenpairs, {count} were asked for.");
        return (values[..count], z);
    }

    /// <summary>
    /// The workspaces a LAPACK size query (lwork = liwork = -1) asked for, and their lengths for the call that does the work.
    /// </summary>
    private static (double[] Work, int[] IntegerWork) Workspace(string routine, int info, double workSize, int iworkSize, out int lwork, out int liwork)
    {
        ThrowOnFailure(routine, info);
        lwork = (int)workSize;
        liwork = iworkSize;
        return (GC.AllocateUninitializedArray<double>(lwork), GC.AllocateUninitializedArray<int>(liwork));
    }

    private static void ThrowOnFailure(string routine, int info)
    {
        if (info < 0)
            throw new ArgumentException($"{routine} rejected argument {-info}.");
        if (info > 0)
            throw new ArithmeticException($"{routine} failed to converge (info = {info}).");
    }
}
