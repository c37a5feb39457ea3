using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Publishing;

/// <summary>
/// Writes a model so the destination either receives a model that was read back from disk and ran
/// once in the engine, or is left exactly as it was. Files are written under a hidden staging folder
/// beside the destination (same file system, final names, so external-data locations are already
/// right; a missing destination folder is created), synced to disk, reloaded, run on zero inputs, and only then renamed into place: side
/// files first, the model last. The source model is never written in place, even with force. A model whose inputs need
/// sizes nobody gave (the run fails at 1 and so does the source's) is published after loading alone, and says so.
/// </summary>
public sealed class VerifiedModelWriter(IModelRunner runner)
{
    private const string OverwriteAdvice = "write to another path with -o, or pass --force to replace the input model";

    /// <summary>
    /// Refuses <paramref name="destination"/> when it reaches the same file as <paramref name="sourcePath"/>
    /// (after resolving links) and <paramref name="force"/> is off. Cheap: call it before the compression work.
    /// </summary>
    public static void CheckDestination(string? sourcePath, string destination, bool force)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        if (force || sourcePath is null) return;
        bool same;
        try
        {
            same = RealPath.Same(sourcePath, destination);
        }
        catch (IOException e)
        {
            throw new OutputFileException($"the output path cannot be resolved: {e.Message}", destination, inner: e);
        }
        if (same)
            throw new OutputFileException("the output is the input model itself", Path.GetFullPath(destination), advice: OverwriteAdvice);
    }

    /// <summary>Writes, verifies and publishes <paramref name="model"/> at <paramref name="destination"/>.</summary>
    /// <exception cref="OutputFileException">The destination is the source (without force), or cannot be written.</exception>
    /// <exception cref="OnnxLowRankException">The written model does not load back or the engine refuses it; nothing was published.</exception>
    public PublishedModel Write(ModelProto model, string destination, PublishOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new PublishOptions();
        CheckDestination(options.SourcePath, destination, options.Force);

        string target;
        try
        {
            // Through a link, the file it points to is replaced and the link stays.
            target = RealPath.Of(destination);
        }
        catch (IOException e)
        {
            throw new OutputFileException($"the output path cannot be resolved: {e.Message}", destination, inner: e);
        }
        if (Directory.Exists(target))
            throw new OutputFileException("the output path is a folder", target, advice: "give a file name, e.g. -o model.lowrank.onnx");
        var folder = Path.GetDirectoryName(target)!;
        var name = Path.GetFileName(target);
        var staging = Path.Combine(folder, $".{name}.{Guid.NewGuid():N}.partial");
        try
        {
            try
            {
                Directory.CreateDirectory(folder);
                Directory.CreateDirectory(staging);
                OnnxModelFile.Save(model, Path.Combine(staging, name), options.Save);
                foreach (var file in Directory.EnumerateFiles(staging)) SyncToDisk(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputFileException($"the model cannot be written: {e.Message}", target, advice: "check that the folder exists, is writable and has space", inner: e);
            }

            var notRunReason = Verify(Path.Combine(staging, name), options);

            var sideFiles = Directory.EnumerateFiles(staging).Select(Path.GetFileName).Where(f => f != name).Order(StringComparer.Ordinal).ToList();
            try
            {
                foreach (var side in sideFiles) File.Move(Path.Combine(staging, side!), Path.Combine(folder, side!), overwrite: true);
                File.Move(Path.Combine(staging, name), target, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputFileException($"the verified model cannot be moved into place: {e.Message}", target, advice: "check that the output file is not locked or read-only", inner: e);
            }
            return new PublishedModel(target, sideFiles.Select(f => Path.Combine(folder, f!)).ToList(), notRunReason);
        }
        finally
        {
            RemoveStaging(staging);
        }
    }

    /// <summary>
    /// Loads the written file as a user would and runs it once on zeros: a model that fails here is
    /// never published. Returns null when it ran, else why it was only loaded: inputs of a type that cannot be
    /// fed (strings, sequences), or a failure at a size nobody gave that the source model shares.
    /// </summary>
    private string? Verify(string path, PublishOptions options)
    {
        // The model is loaded twice more (the check below, then the engine): hand the job's garbage back to the system
        // first, and the check's parse after it (compacting collections that also return the freed memory), or they add up.
        ReturnGarbage();
        // Loading checks the file and every external reference without reading the weights; the engine then reads
        // the model from its file, so a model past 2 GB is verified without a copy of its weights in memory.
        OnnxModelFile.Load(path, new ModelLoadOptions { KeepExternalDataOnDiskFrom = 0 });
        ReturnGarbage();
        UnsizedDimensionException unsized;
        using (var probe = ModelProbe.OpenFile(runner, path))
        {
            if (probe.Inputs.FirstOrDefault(i => TensorData.ClrTypeOf(i.ElementType) is null) is { } unfed)
                return $"input {unfed.Name} is of type {unfed.ElementType}, which cannot be generated";
            try
            {
                probe.RunOnZeros(options.DimensionSizes);
                return null;
            }
            catch (UnsizedDimensionException e)
            {
                unsized = e;
            }
        }
        // The rewrite keeps every shape, so a failure the source model shares at the same sizes is the size's, not the
        // rewrite's. One the source does not share is a broken result: the engine's error, and nothing published.
        if (options.SourcePath is null || !SourceFailsToo(options.SourcePath, options.DimensionSizes)) throw unsized.InnerException!;
        return unsized.NoSize;
    }

    private bool SourceFailsToo(string sourcePath, DimensionSizes sizes)
    {
        try
        {
            using var source = ModelProbe.OpenFile(runner, sourcePath);
            source.RunOnZeros(sizes);
            return false;
        }
        catch (UnsizedDimensionException)
        {
            return true;
        }
    }

    private static void ReturnGarbage() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    private static void SyncToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        stream.Flush(flushToDisk: true);
    }

    private static void RemoveStaging(string staging)
    {
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers are hidden and named .partial; failing the whole job over them would lose a good result.
        }
    }
}
