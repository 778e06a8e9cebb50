package io.cairn.serving.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.FunctionProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TrainingInfoProto;
import io.cairn.serving.OnnxModels;
import io.cairn.serving.TestSessions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Every place onnx.proto can hold a tensor is looked at, before ONNX Runtime ever sees the file. */
class ExternalDataCheckTest {

    private static final TensorProto EXTERNAL = OnnxModels.externalTensor("secret", "../../etc/passwd", 16);

    private static ExternalDataCheck.Found find(byte[] model) throws IOException {
        return ExternalDataCheck.find(new ByteArrayInputStream(model));
    }

    private static byte[] model(GraphProto graph) {
        return ModelProto.newBuilder().setIrVersion(8).setGraph(graph).build().toByteArray();
    }

    private static NodeProto node(AttributeProto attribute) {
        return NodeProto.newBuilder().setOpType("Constant").addOutput("c").addAttribute(attribute).build();
    }

    private static SparseTensorProto sparse(TensorProto values, TensorProto indices) {
        return SparseTensorProto.newBuilder().setValues(values).setIndices(indices).addDims(16).build();
    }

    private static final TensorProto PLAIN = TensorProto.newBuilder().setName("plain").addDims(1)
            .setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(3).build();

    @Test
    void theFieldNumbersAreOnnxProtos() {
        assertThat(ExternalDataCheck.MODEL_GRAPH).isEqualTo(ModelProto.GRAPH_FIELD_NUMBER);
        assertThat(ExternalDataCheck.MODEL_TRAINING_INFO).isEqualTo(ModelProto.TRAINING_INFO_FIELD_NUMBER);
        assertThat(ExternalDataCheck.MODEL_FUNCTIONS).isEqualTo(ModelProto.FUNCTIONS_FIELD_NUMBER);
        assertThat(ExternalDataCheck.GRAPH_NODE).isEqualTo(GraphProto.NODE_FIELD_NUMBER);
        assertThat(ExternalDataCheck.GRAPH_INITIALIZER).isEqualTo(GraphProto.INITIALIZER_FIELD_NUMBER);
        assertThat(ExternalDataCheck.GRAPH_SPARSE_INITIALIZER).isEqualTo(GraphProto.SPARSE_INITIALIZER_FIELD_NUMBER);
        assertThat(ExternalDataCheck.NODE_ATTRIBUTE).isEqualTo(NodeProto.ATTRIBUTE_FIELD_NUMBER);
        assertThat(ExternalDataCheck.ATTRIBUTE_T).isEqualTo(AttributeProto.T_FIELD_NUMBER);
        assertThat(ExternalDataCheck.ATTRIBUTE_G).isEqualTo(AttributeProto.G_FIELD_NUMBER);
        assertThat(ExternalDataCheck.ATTRIBUTE_TENSORS).isEqualTo(AttributeProto.TENSORS_FIELD_NUMBER);
        assertThat(ExternalDataCheck.ATTRIBUTE_GRAPHS).isEqualTo(AttributeProto.GRAPHS_FIELD_NUMBER);
        assertThat(ExternalDataCheck.ATTRIBUTE_SPARSE_TENSOR).isEqualTo(AttributeProto.SPARSE_TENSOR_FIELD_NUMBER);
        assertThat(ExternalDataCheck.ATTRIBUTE_SPARSE_TENSORS).isEqualTo(AttributeProto.SPARSE_TENSORS_FIELD_NUMBER);
        assertThat(ExternalDataCheck.SPARSE_VALUES).isEqualTo(SparseTensorProto.VALUES_FIELD_NUMBER);
        assertThat(ExternalDataCheck.SPARSE_INDICES).isEqualTo(SparseTensorProto.INDICES_FIELD_NUMBER);
        assertThat(ExternalDataCheck.FUNCTION_NODE).isEqualTo(FunctionProto.NODE_FIELD_NUMBER);
        assertThat(ExternalDataCheck.FUNCTION_ATTRIBUTE_PROTO).isEqualTo(FunctionProto.ATTRIBUTE_PROTO_FIELD_NUMBER);
        assertThat(ExternalDataCheck.TRAINING_INITIALIZATION)
                .isEqualTo(TrainingInfoProto.INITIALIZATION_FIELD_NUMBER);
        assertThat(ExternalDataCheck.TRAINING_ALGORITHM).isEqualTo(TrainingInfoProto.ALGORITHM_FIELD_NUMBER);
        assertThat(ExternalDataCheck.TENSOR_NAME).isEqualTo(TensorProto.NAME_FIELD_NUMBER);
        assertThat(ExternalDataCheck.TENSOR_EXTERNAL_DATA).isEqualTo(TensorProto.EXTERNAL_DATA_FIELD_NUMBER);
        assertThat(ExternalDataCheck.TENSOR_DATA_LOCATION).isEqualTo(TensorProto.DATA_LOCATION_FIELD_NUMBER);
        assertThat(ExternalDataCheck.ENTRY_KEY).isEqualTo(StringStringEntryProto.KEY_FIELD_NUMBER);
        assertThat(ExternalDataCheck.ENTRY_VALUE).isEqualTo(StringStringEntryProto.VALUE_FIELD_NUMBER);
    }

    @Test
    void modelsWithTheirTensorsInsideAreFine() throws IOException {
        assertThat(find(OnnxModels.linear(new float[][] {{1, 2}, {3, 4}}, new float[] {1, 1}))).isNull();
        assertThat(find(OnnxModels.mlp(8, 16, 2, 7))).isNull();
        assertThat(find(model(GraphProto.newBuilder().addInitializer(PLAIN).addNode(node(AttributeProto.newBuilder()
                .setName("value").setType(AttributeProto.AttributeType.TENSOR).setT(PLAIN).build())).build())))
                .isNull();
    }

    @Test
    void anExternalInitializerIsFoundWithItsNameAndLocation() throws IOException {
        ExternalDataCheck.Found found = find(model(GraphProto.newBuilder().addInitializer(PLAIN)
                .addInitializer(EXTERNAL).build()));
        assertThat(found).isEqualTo(new ExternalDataCheck.Found("secret", "an initializer of the graph",
                "../../etc/passwd"));
    }

    @Test
    void eitherMarkOfExternalDataIsEnough() throws IOException {
        TensorProto locationOnly = TensorProto.newBuilder().setName("a").setDataType(1)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL).build();
        TensorProto entriesOnly = TensorProto.newBuilder().setName("b").setDataType(1)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("x.bin")).build();
        assertThat(find(model(GraphProto.newBuilder().addInitializer(locationOnly).build())).tensor()).isEqualTo("a");
        assertThat(find(model(GraphProto.newBuilder().addInitializer(entriesOnly).build())))
                .isEqualTo(new ExternalDataCheck.Found("b", "an initializer of the graph", "x.bin"));
    }

    @Test
    void externalTensorsAreFoundWhereverATensorCanBe() throws IOException {
        GraphProto inner = GraphProto.newBuilder().setName("then").addInitializer(EXTERNAL).build();
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName("a");
        assertThat(find(model(GraphProto.newBuilder().addSparseInitializer(sparse(EXTERNAL, PLAIN)).build())).where())
                .isEqualTo("a sparse initializer of the graph");
        assertThat(find(model(GraphProto.newBuilder().addSparseInitializer(sparse(PLAIN, EXTERNAL)).build())))
                .isNotNull();
        assertThat(find(model(GraphProto.newBuilder().addNode(node(attribute.clone().setT(EXTERNAL).build()))
                .build())).where()).isEqualTo("a node attribute in the graph");
        assertThat(find(model(GraphProto.newBuilder().addNode(node(attribute.clone().addTensors(PLAIN)
                .addTensors(EXTERNAL).build())).build()))).isNotNull();
        assertThat(find(model(GraphProto.newBuilder().addNode(node(attribute.clone()
                .setSparseTensor(sparse(EXTERNAL, PLAIN)).build())).build()))).isNotNull();
        assertThat(find(model(GraphProto.newBuilder().addNode(node(attribute.clone()
                .addSparseTensors(sparse(PLAIN, EXTERNAL)).build())).build()))).isNotNull();
        assertThat(find(model(GraphProto.newBuilder().addNode(node(attribute.clone().setG(inner).build())).build()))
                .where()).isEqualTo("an initializer of a subgraph in the graph");
        GraphProto nested = GraphProto.newBuilder().addNode(node(attribute.clone().setG(inner).build())).build();
        assertThat(find(model(GraphProto.newBuilder().addNode(node(attribute.clone().addGraphs(nested).build()))
                .build())).where()).isEqualTo("an initializer of a subgraph in a subgraph in the graph");

        FunctionProto withNode = FunctionProto.newBuilder().setName("f")
                .addNode(node(attribute.clone().setT(EXTERNAL).build())).build();
        assertThat(find(ModelProto.newBuilder().addFunctions(withNode).build().toByteArray()).where())
                .isEqualTo("a node attribute in a model function");
        FunctionProto withDefault = FunctionProto.newBuilder().setName("f")
                .addAttributeProto(attribute.clone().setT(EXTERNAL)).build();
        assertThat(find(ModelProto.newBuilder().addFunctions(withDefault).build().toByteArray())).isNotNull();
        assertThat(find(ModelProto.newBuilder().addTrainingInfo(TrainingInfoProto.newBuilder().setAlgorithm(inner))
                .build().toByteArray()).where()).isEqualTo("an initializer of the training info");
    }

    @Test
    void openingSuchAModelFailsBeforeOnnxRuntimeReadsTheFile() {
        assertThatThrownBy(() -> TestSessions.open(OnnxModels.externalData("cairn-no-such-file.bin", 4)))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tensor 'leak' (an initializer of the graph) as external data (location "
                        + "'cairn-no-such-file.bin')")
                .hasMessageContaining("save_as_external_data=False");
    }

    @Test
    void aFileThatIsNoProtobufOrNestsWithoutEndIsRefused() {
        assertThatThrownBy(() -> TestSessions.open("not a graph".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("is not a valid ONNX model");
        GraphProto graph = GraphProto.newBuilder().addInitializer(PLAIN).build();
        for (int i = 0; i < 60; i++) {
            graph = GraphProto.newBuilder().addNode(node(AttributeProto.newBuilder().setName("g").setG(graph).build()))
                    .build();
        }
        byte[] deep = model(graph);
        assertThatThrownBy(() -> find(deep)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("nested more than 100 levels");
    }
}
