using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace SynCo.ML.Tests.MLNet;

/// <summary>
/// The <see cref="SchemaShape"/> ML.NET builds from a schema before it calls <c>GetOutputSchema</c>.
/// <c>SchemaShape.Create</c> is internal in ML.NET 5.0.1, so tests reach it by reflection.
/// </summary>
internal static class Shapes
{
    private static readonly MethodInfo Create = typeof(SchemaShape).GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static,
        new[] { typeof(DataViewSchema) }) ?? throw new MissingMethodException("SchemaShape.Create(DataViewSchema) not found in this ML.NET.");

    public static SchemaShape Of(IDataView data) => (SchemaShape)Create.Invoke(null, new object[] { data.Schema })!;

    public static SchemaShape.Column Find(SchemaShape shape, string name) => shape.Single(c => c.Name == name);
}
