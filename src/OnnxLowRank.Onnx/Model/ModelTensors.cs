using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Every tensor a model stores: initializers, sparse initializers, node attribute tensors,
/// and the same inside subgraphs (If/Loop/Scan bodies), functions and training graphs.
/// </summary>
internal static class ModelTensors
{
    public static IEnumerable<TensorSite> All(ModelProto model)
    {
        if (model.Graph is not null)
        {
            foreach (var site in InGraph(model.Graph)) yield return site;
        }
        foreach (var function in model.Functions)
        {
            foreach (var node in function.Node)
            {
                foreach (var site in InNode(node)) yield return site;
            }
        }
        foreach (var training in model.TrainingInfo)
        {
            if (training.Initialization is not null)
            {
                foreach (var site in InGraph(training.Initialization)) yield return site;
            }
            if (training.Algorithm is not null)
            {
                foreach (var site in InGraph(training.Algorithm)) yield return site;
            }
        }
    }

    private static IEnumerable<TensorSite> InGraph(GraphProto graph)
    {
        foreach (var tensor in graph.Initializer)
        {
            yield return new TensorSite(tensor, tensor.Name, IsInitializer: true);
        }
        foreach (var sparse in graph.SparseInitializer)
        {
            foreach (var site in InSparse(sparse, fallbackName: "sparse initializer", isInitializer: true)) yield return site;
        }
        foreach (var node in graph.Node)
        {
            foreach (var site in InNode(node)) yield return site;
        }
    }

    private static IEnumerable<TensorSite> InNode(NodeProto node)
    {
        foreach (var attribute in node.Attribute)
        {
            var where = $"node '{node.Name}' ({node.OpType}) attribute '{attribute.Name}'";
            if (attribute.T is not null) yield return Site(attribute.T, where);
            foreach (var tensor in attribute.Tensors) yield return Site(tensor, where);
            if (attribute.SparseTensor is not null)
            {
                foreach (var site in InSparse(attribute.SparseTensor, where, isInitializer: false)) yield return site;
            }
            foreach (var sparse in attribute.SparseTensors)
            {
                foreach (var site in InSparse(sparse, where, isInitializer: false)) yield return site;
            }
            foreach (var graph in attribute.Subgraphs())
            {
                foreach (var site in InGraph(graph)) yield return site;
            }
        }
    }

    private static IEnumerable<TensorSite> InSparse(SparseTensorProto sparse, string fallbackName, bool isInitializer)
    {
        if (sparse.Values is not null)
        {
            var name = sparse.Values.Name.Length > 0 ? sparse.Values.Name : fallbackName;
            yield return new TensorSite(sparse.Values, name, isInitializer);
        }
        if (sparse.Indices is not null)
        {
            var name = sparse.Values?.Name is { Length: > 0 } valuesName ? $"{valuesName} (indices)" : $"{fallbackName} (indices)";
            yield return new TensorSite(sparse.Indices, name, isInitializer);
        }
    }

    private static TensorSite Site(TensorProto tensor, string where) =>
        new(tensor, tensor.Name.Length > 0 ? tensor.Name : where, IsInitializer: false);
}
