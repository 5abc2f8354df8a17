package dev.licensegateway.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The k8s/ manifests, checked without a cluster: every document parses into the official
 * fabric8 model with no unknown field, and the deployment policies of the issue hold
 * (probes, security context, resources, shutdown timing, selectors, env wiring, metrics).
 */
class KubernetesManifestsTest {

  private static final Path ROOT = Path.of("").toAbsolutePath();
  private static final Path K8S = ROOT.resolve("k8s");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** apiVersion/kind → model class. A kind not listed here fails the test. */
  private static final Map<String, Class<? extends HasMetadata>> MODELS = Map.of(
      "apps/v1/Deployment", Deployment.class,
      "v1/Service", Service.class,
      "v1/Secret", Secret.class,
      "v1/ConfigMap", ConfigMap.class,
      "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
      "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
      "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
      "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
      "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class);

  /** The router's health paths (GatewayVerticle). */
  private static final Set<String> HEALTH_PATHS = Set.of("/health/live", "/health/ready");

  /** The contract's environment variables (docs/operations.md): each must reach the container. */
  private static final Set<String> CONTRACT_ENV = Set.of(
      "LGW_HTTP_PORT", "LGW_PG_URI", "LGW_REDIS_URI", "LICENSE_API_SECRET",
      "LGW_SIGNING_ALG", "LGW_SIGNING_KEYS_DIR", "LGW_TRUSTED_PROXIES");

  /** Secrets: only through a Secret, never as a literal in the Deployment. */
  private static final Set<String> SECRET_ENV = Set.of("LICENSE_API_SECRET", "LGW_PG_URI", "LGW_REDIS_URI");

  /**
   * The metric names the gateway exports on /metrics (GatewayMetrics, RedisGate, DailyQuota,
   * the Vert.x and JVM binders; checked against a dev-mode scrape), plus Prometheus' `up`.
   * Alerts and dashboard panels may name these and nothing else.
   */
  private static final Set<String> ALLOWED_METRICS = Set.of(
      "lgw_requests_seconds_count", "lgw_requests_seconds_sum", "lgw_requests_seconds_bucket",
      "lgw_dependency_calls_seconds_count", "lgw_dependency_calls_seconds_sum", "lgw_dependency_calls_seconds_bucket",
      "lgw_ratelimit_rejections_total", "lgw_nonce_replays_total", "lgw_quota_rejections_total",
      "lgw_ratelimit_fail_open_total", "lgw_redis_errors_total",
      "lgw_http_requests_active", "lgw_webhook_queue_depth", "lgw_webhook_oldest_pending_seconds",
      "lgw_webhook_deliveries_total", "vertx_pool_in_use", "vertx_pool_queue_pending",
      "jvm_memory_used_bytes", "jvm_memory_max_bytes",
      "up");

  /** The issue's extraction pattern for metric names. */
  private static final Pattern METRIC_PREFIXED = Pattern.compile("\\b(lgw_[a-z_]+|jvm_[a-z_]+|vertx_[a-z_]+|up)\\b");

  /** PromQL words that are not metric names. */
  private static final Set<String> PROMQL_WORDS = Set.of(
      "sum", "avg", "min", "max", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
      "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "histogram_quantile",
      "absent", "absent_over_time", "avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
      "count_over_time", "last_over_time", "quantile_over_time", "clamp_min", "clamp_max", "clamp", "abs",
      "ceil", "floor", "round", "scalar", "vector", "time", "sort", "sort_desc", "label_replace", "label_join",
      "predict_linear", "and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring",
      "group_left", "group_right", "inf", "nan");

  private record Manifest(Path file, JsonNode tree, HasMetadata resource) {}

  private static List<Manifest> manifests;
  private static JsonNode kustomization;
  private static Deployment deployment;
  private static Container container;

  @BeforeAll
  static void load() throws IOException {
    assertTrue(Files.isDirectory(K8S), "no k8s/ directory under " + ROOT);
    kustomization = YAML.readTree(K8S.resolve("kustomization.yaml").toFile());
    Set<Path> generatorInputs = generatorFiles().values().stream().map(Path::normalize).collect(Collectors.toSet());
    manifests = new ArrayList<>();
    try (Stream<Path> files = Files.walk(K8S)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
        if (file.getFileName().toString().equals("kustomization.yaml") || generatorInputs.contains(file.normalize())) {
          continue; // the kustomization and the generators' data files are not manifests
        }
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(file.toFile())) {
          while (docs.hasNext()) {
            JsonNode tree = docs.next();
            if (tree == null || tree.isNull() || tree.isEmpty()) {
              continue;
            }
            String type = tree.path("apiVersion").asText() + "/" + tree.path("kind").asText();
            Class<? extends HasMetadata> model = MODELS.get(type);
            assertNotNull(model, K8S.relativize(file) + ": no model for " + type);
            manifests.add(new Manifest(file, tree, YAML.treeToValue(tree, model)));
          }
        }
      }
    }
    deployment = only(Deployment.class);
    List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
    assertEquals(1, containers.size(), "one container per gateway pod");
    container = containers.get(0);
  }

  // ---------------------------------------------------------------- parsing

  @Test
  void everyManifestParsesWithNoUnknownField() {
    assertFalse(manifests.isEmpty());
    Set<String> kinds = new TreeSet<>();
    for (Manifest m : manifests) {
      List<String> unknown = new ArrayList<>();
      unknownFields(m.resource(), m.resource().getKind(), unknown, new IdentityHashMap<>());
      assertTrue(unknown.isEmpty(), K8S.relativize(m.file()) + ": fields the model does not know: " + unknown);
      assertNotNull(m.resource().getMetadata().getName(), K8S.relativize(m.file()) + ": no metadata.name");
      assertNull(m.resource().getMetadata().getNamespace(),
          K8S.relativize(m.file()) + ": no hard-coded namespace (choose one at apply time)");
      kinds.add(m.resource().getKind());
    }
    assertEquals(new TreeSet<>(List.of("Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget",
        "NetworkPolicy", "ServiceMonitor", "PrometheusRule", "Secret")), kinds);
  }

  /** The detector itself: a typo three levels deep in a container is reported. */
  @Test
  void unknownFieldDetectorFindsANestedTypo() throws IOException {
    JsonNode tree = YAML.readTree(K8S.resolve("deployment.yaml").toFile());
    ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("spec").path("template").path("spec")
        .path("containers").get(0).path("securityContext")).put("readOnlyRootFileSystem", true);
    List<String> unknown = new ArrayList<>();
    unknownFields(YAML.treeToValue(tree, Deployment.class), "Deployment", unknown, new IdentityHashMap<>());
    assertEquals(List.of("Deployment.spec.template.spec.containers[0].securityContext: [readOnlyRootFileSystem]"),
        unknown);
  }

  /**
   * Walks the model's JSON properties (as Jackson sees them) and collects every non-empty
   * getAdditionalProperties(): fabric8 puts each field it does not know there.
   */
  private static void unknownFields(Object node, String path, List<String> out, Map<Object, Boolean> seen) {
    if (node == null || node instanceof String || node instanceof Number || node instanceof Boolean
        || seen.put(node, Boolean.TRUE) != null) {
      return;
    }
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, out, seen));
      return;
    }
    if (node instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        unknownFields(item, path + "[" + i++ + "]", out, seen);
      }
      return;
    }
    if (!node.getClass().getName().startsWith("io.fabric8.")) {
      return;
    }
    try {
      Object extra = node.getClass().getMethod("getAdditionalProperties").invoke(node);
      if (extra instanceof Map<?, ?> m && !m.isEmpty()) {
        out.add(path + ": " + new TreeSet<>(m.keySet().stream().map(String::valueOf).toList()));
      }
    } catch (NoSuchMethodException e) {
      // IntOrString and friends: a value, not an object with fields
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
    BeanDescription bean = JSON.getSerializationConfig().introspect(JSON.constructType(node.getClass()));
    for (BeanPropertyDefinition property : bean.findProperties()) {
      AnnotatedMember getter = property.getAccessor();
      if (getter == null || property.getName().equals("additionalProperties")) {
        continue;
      }
      getter.fixAccess(true);
      unknownFields(getter.getValue(node), path + "." + property.getName(), out, seen);
    }
  }

  // ---------------------------------------------------------------- Deployment

  @Test
  void deploymentRunsThreeReplicasAndRollsWithoutLosingCapacity() {
    assertEquals(3, deployment.getSpec().getReplicas());
    assertEquals("RollingUpdate", deployment.getSpec().getStrategy().getType());
    IntOrString maxUnavailable = deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable();
    assertTrue(isZero(maxUnavailable), "rollingUpdate.maxUnavailable must be 0, is " + maxUnavailable);
    assertFalse(isZero(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge()),
        "maxSurge 0 with maxUnavailable 0 cannot roll");
    assertTrue(matches(deployment.getSpec().getSelector(), podLabels()), "the selector must match the pod labels");
  }

  @Test
  void podsSpreadOverNodes() {
    List<TopologySpreadConstraint> spread = podSpec().getTopologySpreadConstraints();
    assertNotNull(spread, "topologySpreadConstraints missing");
    TopologySpreadConstraint byNode = spread.stream()
        .filter(c -> "kubernetes.io/hostname".equals(c.getTopologyKey())).findFirst()
        .orElseThrow(() -> new AssertionError("no topology spread over kubernetes.io/hostname"));
    assertTrue(byNode.getMaxSkew() != null && byNode.getMaxSkew() >= 1);
    assertTrue(matches(byNode.getLabelSelector(), podLabels()), "the spread must count the gateway's own pods");
  }

  @Test
  void probesUseTheHealthRoutesAndLivenessNeverTouchesDependencies() {
    Map<String, Probe> probes = new LinkedHashMap<>();
    probes.put("startupProbe", container.getStartupProbe());
    probes.put("readinessProbe", container.getReadinessProbe());
    probes.put("livenessProbe", container.getLivenessProbe());
    probes.forEach((name, probe) -> {
      assertNotNull(probe, name + " missing");
      assertNotNull(probe.getHttpGet(), name + " must be an HTTP GET");
      assertTrue(HEALTH_PATHS.contains(probe.getHttpGet().getPath()),
          name + " path " + probe.getHttpGet().getPath() + " is not a health route " + HEALTH_PATHS);
      assertEquals(containerPort().getContainerPort(), resolvePort(probe.getHttpGet().getPort()),
          name + " must probe the HTTP port");
    });
    assertEquals("/health/live", container.getLivenessProbe().getHttpGet().getPath(),
        "liveness must not depend on Postgres or Redis");
    assertEquals("/health/ready", container.getReadinessProbe().getHttpGet().getPath());
  }

  @Test
  void containerIsLockedDown() {
    PodSecurityContext pod = podSpec().getSecurityContext();
    SecurityContext c = container.getSecurityContext();
    assertNotNull(c, "container securityContext missing");
    Boolean nonRoot = c.getRunAsNonRoot() != null ? c.getRunAsNonRoot() : pod == null ? null : pod.getRunAsNonRoot();
    assertEquals(Boolean.TRUE, nonRoot, "runAsNonRoot");
    Long uid = c.getRunAsUser() != null ? c.getRunAsUser() : pod == null ? null : pod.getRunAsUser();
    assertTrue(uid == null || uid != 0, "runAsUser must not be 0");
    assertEquals(Boolean.TRUE, c.getReadOnlyRootFilesystem(), "readOnlyRootFilesystem");
    assertEquals(Boolean.FALSE, c.getAllowPrivilegeEscalation(), "allowPrivilegeEscalation");
    assertTrue(c.getPrivileged() == null || !c.getPrivileged(), "privileged");
    assertNotNull(c.getCapabilities(), "capabilities");
    assertTrue(c.getCapabilities().getDrop().contains("ALL"), "capabilities must drop ALL");
    assertTrue(c.getCapabilities().getAdd() == null || c.getCapabilities().getAdd().isEmpty(), "no capability added");
    String seccomp = c.getSeccompProfile() != null ? c.getSeccompProfile().getType()
        : pod == null || pod.getSeccompProfile() == null ? null : pod.getSeccompProfile().getType();
    assertEquals("RuntimeDefault", seccomp, "seccompProfile");
    // A read-only root needs a writable /tmp (JVM, native crypto library, Vert.x cache).
    VolumeMount tmp = mount("/tmp");
    assertNotNull(volume(tmp.getName()).getEmptyDir(), "/tmp must be an emptyDir");
    assertTrue(tmp.getReadOnly() == null || !tmp.getReadOnly(), "/tmp must be writable");
  }

  @Test
  void resourcesAreRequestedAndLimited() {
    Map<String, Quantity> requests = container.getResources().getRequests();
    Map<String, Quantity> limits = container.getResources().getLimits();
    for (String resource : List.of("cpu", "memory")) {
      assertNotNull(requests == null ? null : requests.get(resource), "requests." + resource);
      assertNotNull(limits == null ? null : limits.get(resource), "limits." + resource);
      assertTrue(requests.get(resource).getNumericalAmount().compareTo(limits.get(resource).getNumericalAmount()) <= 0,
          resource + ": request above limit");
    }
    String javaOptions = literalEnv("JAVA_TOOL_OPTIONS");
    assertNotNull(javaOptions, "JAVA_TOOL_OPTIONS must size the JVM from the container");
    assertTrue(List.of(javaOptions.split("\\s+")).contains("-XX:MaxRAMPercentage=75"), javaOptions);
    assertFalse(javaOptions.contains("-Xmx"), "a fixed -Xmx ignores the memory limit");
  }

  @Test
  void shutdownFitsInTheTerminationGracePeriod() {
    long grace = podSpec().getTerminationGracePeriodSeconds();
    assertNotNull(container.getLifecycle(), "lifecycle missing");
    assertNotNull(container.getLifecycle().getPreStop(), "preStop missing");
    List<String> command = container.getLifecycle().getPreStop().getExec().getCommand();
    assertEquals(2, command.size(), "preStop must be [sleep, N]: " + command);
    assertEquals("sleep", command.get(0));
    long preStop = Long.parseLong(command.get(1));
    assertTrue(preStop > 0 && preStop < grace, "preStop sleep " + preStop + " s must be under " + grace + " s");
    long drainMs = Long.parseLong(literalEnv("LGW_DRAIN_DELAY_MS"));
    long shutdownMs = Long.parseLong(literalEnv("LGW_SHUTDOWN_GRACE_MS"));
    assertTrue(drainMs + shutdownMs < grace * 1000, "drain delay + shutdown grace must be under the grace period");
    // SIGTERM arrives only after preStop: all three share the grace period.
    assertTrue(preStop * 1000 + drainMs + shutdownMs < grace * 1000,
        "preStop " + preStop + " s + drain " + drainMs + " ms + grace " + shutdownMs + " ms >= " + grace + " s");
  }

  @Test
  void imageIsPinnedToATag() {
    String image = container.getImage();
    assertTrue(hasTagOrDigest(image), "image needs an explicit tag: " + image);
    assertFalse(image.endsWith(":latest"), "image must not use latest: " + image);
    for (JsonNode override : kustomization.path("images")) {
      String tag = override.path("newTag").asText("");
      assertFalse(tag.isEmpty() && override.path("digest").isMissingNode(), "kustomization image needs newTag: " + override);
      assertFalse(tag.equals("latest"), "kustomization image must not use latest");
    }
  }

  // ---------------------------------------------------------------- configuration

  @Test
  void everyContractVariableIsWired() throws IOException {
    Set<String> required = new TreeSet<>(CONTRACT_ENV);
    Map<String, String> secretKeys = secretKeys();
    Set<String> wired = new TreeSet<>();
    for (EnvVar env : container.getEnv()) {
      if (env.getValue() != null) {
        wired.add(env.getName());
      } else if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
        var ref = env.getValueFrom().getSecretKeyRef();
        assertTrue(secretKeys.containsKey(ref.getName() + "/" + ref.getKey()),
            env.getName() + " reads " + ref.getName() + "/" + ref.getKey() + ", which secret-template.yaml lacks");
        wired.add(env.getName());
      } else if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
        wired.add(env.getName());
      }
    }
    for (EnvFromSource from : container.getEnvFrom() == null ? List.<EnvFromSource>of() : container.getEnvFrom()) {
      if (from.getSecretRef() != null) {
        secretKeys.keySet().stream().filter(k -> k.startsWith(from.getSecretRef().getName() + "/"))
            .map(k -> k.substring(k.indexOf('/') + 1)).forEach(wired::add);
      }
    }
    Set<String> missing = new TreeSet<>(required);
    missing.removeAll(wired);
    assertTrue(missing.isEmpty(), "contract variables not wired into the container: " + missing);
    for (String name : SECRET_ENV) {
      assertNull(literalEnv(name), name + " is a secret: read it from a Secret, never a literal");
    }
  }

  @Test
  void portsAndPathsAgree() {
    ContainerPort port = containerPort();
    assertEquals(String.valueOf(port.getContainerPort()), literalEnv("LGW_HTTP_PORT"),
        "LGW_HTTP_PORT and containerPort differ");
    // Signing keys: a read-only Secret volume at LGW_SIGNING_KEYS_DIR.
    VolumeMount keys = mount(literalEnv("LGW_SIGNING_KEYS_DIR"));
    assertEquals(Boolean.TRUE, keys.getReadOnly());
    Volume keyVolume = volume(keys.getName());
    assertNotNull(keyVolume.getSecret(), "LGW_SIGNING_KEYS_DIR must be a Secret volume");
    assertTrue(secretKeys().keySet().stream().anyMatch(k -> k.startsWith(keyVolume.getSecret().getSecretName() + "/")),
        "the signing keys Secret " + keyVolume.getSecret().getSecretName() + " is not in secret-template.yaml");
    // Config: LGW_CONFIG names gateway.yaml in the mounted, generated ConfigMap.
    Path config = Path.of(literalEnv("LGW_CONFIG"));
    assertEquals(Path.of("/app/conf/gateway.yaml"), config);
    Volume configVolume = volume(mount(config.getParent().toString()).getName());
    assertNotNull(configVolume.getConfigMap(), "LGW_CONFIG must come from a ConfigMap volume");
    String generated = configVolume.getConfigMap().getName();
    assertTrue(generatorFiles().containsKey(generated + "/" + config.getFileName()),
        "no configMapGenerator " + generated + " with key " + config.getFileName() + ": " + generatorFiles().keySet());
  }

  @Test
  void configMapIsGeneratedFromConfAndMatchesIt() throws IOException {
    Path copy = generatorFiles().get("license-gateway-config/gateway.yaml");
    assertNotNull(copy, "configMapGenerator license-gateway-config must carry gateway.yaml");
    assertEquals(Files.readString(ROOT.resolve("conf/gateway.yaml")), Files.readString(copy),
        ROOT.relativize(copy) + " differs from conf/gateway.yaml: copy it again (kustomize reads nothing outside k8s/)");
  }

  @Test
  void secretTemplateHoldsOnlyPlaceholders() {
    List<Secret> secrets = all(Secret.class);
    assertFalse(secrets.isEmpty());
    for (Secret secret : secrets) {
      assertTrue(secret.getData() == null || secret.getData().isEmpty(),
          secret.getMetadata().getName() + ": use stringData with placeholders, never base64 data");
      assertFalse(secret.getStringData() == null || secret.getStringData().isEmpty());
      secret.getStringData().forEach((k, v) ->
          assertTrue(v.contains("REPLACE_ME"), secret.getMetadata().getName() + "/" + k + " is not a placeholder"));
    }
  }

  // ---------------------------------------------------------------- Service, HPA, PDB

  @Test
  void serviceSelectsThePodsAndTargetsTheHttpPort() {
    Service service = only(Service.class);
    Map<String, String> selector = service.getSpec().getSelector();
    assertFalse(selector == null || selector.isEmpty(), "Service without selector");
    assertTrue(podLabels().entrySet().containsAll(selector.entrySet()),
        "Service selector " + selector + " does not match pod labels " + podLabels());
    for (ServicePort port : service.getSpec().getPorts()) {
      assertEquals(containerPort().getContainerPort(), resolvePort(port.getTargetPort()));
    }
  }

  @Test
  void autoscalerScalesTheDeploymentOnCpu() {
    HorizontalPodAutoscaler hpa = only(HorizontalPodAutoscaler.class);
    var target = hpa.getSpec().getScaleTargetRef();
    assertEquals("Deployment", target.getKind());
    assertEquals("apps/v1", target.getApiVersion());
    assertEquals(deployment.getMetadata().getName(), target.getName());
    assertEquals(deployment.getSpec().getReplicas(), hpa.getSpec().getMinReplicas(), "minReplicas = replicas");
    assertTrue(hpa.getSpec().getMaxReplicas() > hpa.getSpec().getMinReplicas());
    MetricSpec cpu = hpa.getSpec().getMetrics().stream()
        .filter(m -> "Resource".equals(m.getType()) && "cpu".equals(m.getResource().getName())).findFirst()
        .orElseThrow(() -> new AssertionError("the HPA must scale on CPU"));
    assertEquals("Utilization", cpu.getResource().getTarget().getType());
    assertTrue(cpu.getResource().getTarget().getAverageUtilization() > 0);
  }

  @Test
  void disruptionBudgetNeverBlocksANodeDrain() {
    PodDisruptionBudget pdb = only(PodDisruptionBudget.class);
    assertNull(pdb.getSpec().getMinAvailable(), "minAvailable can forbid every eviction: use maxUnavailable");
    IntOrString maxUnavailable = pdb.getSpec().getMaxUnavailable();
    assertNotNull(maxUnavailable, "maxUnavailable");
    assertTrue(maxUnavailable.getIntVal() != null && maxUnavailable.getIntVal() >= 1,
        "maxUnavailable must let at least one pod go: " + maxUnavailable);
    assertTrue(matches(pdb.getSpec().getSelector(), podLabels()), "the PDB must select the Deployment's pods");
  }

  // ---------------------------------------------------------------- NetworkPolicy

  @Test
  void networkPolicyAllowsOnlyHttpInAndDatabasesAndDnsOut() {
    NetworkPolicy policy = only(NetworkPolicy.class);
    assertTrue(matches(policy.getSpec().getPodSelector(), podLabels()), "the policy must select the gateway pods");
    assertEquals(Set.of("Ingress", "Egress"), Set.copyOf(policy.getSpec().getPolicyTypes()));
    assertFalse(policy.getSpec().getIngress().isEmpty());
    for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
      assertFalse(rule.getPorts() == null || rule.getPorts().isEmpty(), "an ingress rule without ports opens every port");
      for (NetworkPolicyPort port : rule.getPorts()) {
        assertEquals(containerPort().getContainerPort(), resolvePort(port.getPort()), "ingress only to the HTTP port");
        assertEquals("TCP", protocol(port));
      }
    }
    Set<String> egress = new TreeSet<>();
    for (NetworkPolicyEgressRule rule : policy.getSpec().getEgress()) {
      assertFalse(rule.getPorts() == null || rule.getPorts().isEmpty(), "an egress rule without ports opens every port");
      for (NetworkPolicyPort port : rule.getPorts()) {
        assertNotNull(port.getPort().getIntVal(), "egress ports by number");
        egress.add(port.getPort().getIntVal() + "/" + protocol(port));
      }
    }
    Set<String> required = Set.of("5432/TCP", "6379/TCP", "53/UDP", "53/TCP");
    assertTrue(egress.containsAll(required), "egress lacks " + required + ": " + egress);
    Set<String> extra = new TreeSet<>(egress);
    extra.removeAll(required);
    extra.remove("16379/TCP"); // the Redis Cluster bus, if ever needed
    assertTrue(extra.isEmpty(), "egress beyond Postgres, Redis and DNS: " + extra);
  }

  // ---------------------------------------------------------------- monitoring

  @Test
  void serviceMonitorScrapesTheMetricsRoute() {
    ServiceMonitor monitor = only(ServiceMonitor.class);
    Service service = only(Service.class);
    assertTrue(matches(monitor.getSpec().getSelector(), service.getMetadata().getLabels()),
        "the ServiceMonitor must select the Service");
    Set<String> servicePorts = service.getSpec().getPorts().stream().map(ServicePort::getName).collect(Collectors.toSet());
    assertFalse(monitor.getSpec().getEndpoints().isEmpty());
    for (Endpoint endpoint : monitor.getSpec().getEndpoints()) {
      assertTrue(servicePorts.contains(endpoint.getPort()), "no Service port named " + endpoint.getPort());
      assertEquals("/metrics", endpoint.getPath());
    }
  }

  @Test
  void alertsCoverTheIssueAndNameOnlyExportedMetrics() {
    PrometheusRule rules = only(PrometheusRule.class);
    Map<String, String> alerts = new LinkedHashMap<>();
    for (RuleGroup group : rules.getSpec().getGroups()) {
      for (Rule rule : group.getRules()) {
        assertNotNull(rule.getAlert(), "only alerting rules here");
        assertNotNull(rule.getExpr() == null ? null : rule.getExpr().getStrVal(), rule.getAlert() + ": expr");
        assertNotNull(rule.getFor(), rule.getAlert() + ": for");
        assertNotNull(rule.getLabels().get("severity"), rule.getAlert() + ": severity");
        assertNotNull(rule.getAnnotations().get("summary"), rule.getAlert() + ": summary");
        alerts.put(rule.getAlert(), rule.getExpr().getStrVal());
        assertOnlyExportedMetrics("alert " + rule.getAlert(), rule.getExpr().getStrVal());
      }
    }
    String all = String.join("\n", alerts.values());
    // error ratio, p99 latency, readiness flapping, rate-limit surge, Redis/Postgres errors
    assertTrue(alerts.values().stream().anyMatch(e -> e.contains("lgw_requests_seconds_count") && e.contains("status=~\"5..\"")
        && e.contains("/")), "no error-ratio alert");
    assertTrue(alerts.values().stream().anyMatch(e -> e.contains("histogram_quantile(0.99")
        && e.contains("lgw_requests_seconds_bucket")), "no p99 latency alert");
    assertTrue(all.contains("route=\"/health/ready\""), "no readiness flapping alert");
    assertTrue(all.contains("lgw_ratelimit_rejections_total"), "no rate-limit surge alert");
    assertTrue(all.contains("lgw_dependency_calls_seconds_count{result=\"error\"}"), "no dependency error alert");
    assertTrue(all.contains("lgw_redis_errors_total"), "no Redis error alert");
  }

  @Test
  void dashboardParsesAndNamesOnlyExportedMetrics() throws IOException {
    Path file = generatorFiles().get("license-gateway-dashboard/license-gateway.json");
    assertNotNull(file, "configMapGenerator license-gateway-dashboard must carry license-gateway.json");
    JsonNode generator = generator("license-gateway-dashboard");
    assertEquals("1", generator.path("options").path("labels").path("grafana_dashboard").asText(),
        "Grafana's sidecar needs the label grafana_dashboard: \"1\"");
    JsonNode dashboard = JSON.readTree(file.toFile());
    assertFalse(dashboard.path("uid").asText().isEmpty(), "dashboard uid");
    assertFalse(dashboard.path("title").asText().isEmpty(), "dashboard title");
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        exprs.add(target.path("expr").asText());
        assertOnlyExportedMetrics("panel '" + panel.path("title").asText() + "'", target.path("expr").asText());
      }
    }
    assertTrue(exprs.size() >= 10, "a dashboard of " + exprs.size() + " queries");
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      Matcher labelValues = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,")
          .matcher(variable.path("query").path("query").asText(variable.path("query").asText()));
      if (labelValues.find()) {
        assertTrue(ALLOWED_METRICS.contains(labelValues.group(1)), "variable " + variable.path("name") + ": "
            + labelValues.group(1) + " is not exported");
      }
    }
  }

  /** The extractor can fail: a misspelled or foreign metric is reported. */
  @Test
  void metricCheckRejectsUnknownNames() {
    assertEquals(Set.of("lgw_request_seconds_count"), unknownMetrics("sum(rate(lgw_request_seconds_count[5m]))"));
    assertEquals(Set.of("kube_pod_status_ready"), unknownMetrics("changes(kube_pod_status_ready{condition=\"true\"}[5m])"));
    assertEquals(Set.of(), unknownMetrics(
        "histogram_quantile(0.99, sum by (route, le) (rate(lgw_requests_seconds_bucket{outcome=~\"5..|up\"}[$__rate_interval])))"));
  }

  private static void assertOnlyExportedMetrics(String where, String expr) {
    assertFalse(metricNames(expr).isEmpty(), where + ": names no metric: " + expr);
    Set<String> unknown = unknownMetrics(expr);
    assertTrue(unknown.isEmpty(), where + " names metrics the gateway does not export: " + unknown);
  }

  private static Set<String> unknownMetrics(String expr) {
    Set<String> names = metricNames(expr);
    // The issue's pattern, on the same string-free text.
    Matcher prefixed = METRIC_PREFIXED.matcher(withoutStrings(expr));
    while (prefixed.find()) {
      names.add(prefixed.group(1));
    }
    names.removeAll(ALLOWED_METRICS);
    return names;
  }

  private static String withoutStrings(String expr) {
    return expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("'(?:[^'\\\\]|\\\\.)*'", "''");
  }

  /** Every identifier of a PromQL expression that is neither a function, a keyword nor a label name. */
  private static Set<String> metricNames(String expr) {
    String s = withoutStrings(expr)
        .replaceAll("\\{[^}]*}", " ")                     // label matchers
        .replaceAll("\\[[^]]*]", " ")                     // ranges
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\$\\{?\\w+}?", " ");                // Grafana variables
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*").matcher(s);
    while (m.find()) {
      boolean partOfNumber = m.start() > 0 && (Character.isDigit(s.charAt(m.start() - 1)) || s.charAt(m.start() - 1) == '.');
      if (!partOfNumber && !PROMQL_WORDS.contains(m.group())) {
        names.add(m.group());
      }
    }
    return names;
  }

  // ---------------------------------------------------------------- kustomization, image build

  @Test
  void kustomizationListsEveryManifestButTheSecretTemplate() throws IOException {
    assertEquals("Kustomization", kustomization.path("kind").asText());
    Set<String> listed = new TreeSet<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    for (String resource : listed) {
      assertTrue(Files.isRegularFile(K8S.resolve(resource)), "kustomization lists a missing file: " + resource);
    }
    Set<String> files = new TreeSet<>();
    for (Manifest m : manifests) {
      files.add(K8S.relativize(m.file()).toString().replace('\\', '/'));
    }
    assertTrue(files.contains("secret-template.yaml"), "secret-template.yaml missing");
    assertFalse(listed.contains("secret-template.yaml"),
        "applying the template would overwrite the real Secrets with placeholders");
    files.remove("secret-template.yaml");
    assertEquals(files, listed, "kustomization resources and the manifests in k8s/ differ");
    for (Path input : generatorFiles().values()) {
      assertTrue(Files.isRegularFile(input), "generator file missing: " + input);
      assertTrue(input.normalize().startsWith(K8S), "kustomize refuses files outside k8s/: " + input);
    }
  }

  @Test
  void jibBuildsTheImageTheDeploymentRuns() throws Exception {
    Element pom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(ROOT.resolve("pom.xml").toFile()).getDocumentElement();
    Map<String, String> properties = new HashMap<>();
    for (Element property : children(child(pom, "properties"))) {
      properties.put(property.getTagName(), property.getTextContent().trim());
    }
    Element jib = null;
    for (Element plugin : children(child(child(pom, "build"), "plugins"))) {
      if ("jib-maven-plugin".equals(text(plugin, "artifactId"))) {
        jib = plugin;
      }
    }
    assertNotNull(jib, "no jib-maven-plugin in pom.xml");
    assertEquals("com.google.cloud.tools", text(jib, "groupId"));
    assertNull(child(jib, "executions"), "no Jib goal may be bound to a phase: verify must not build images");
    Element config = child(jib, "configuration");
    Element c = child(config, "container");
    String from = resolve(text(child(config, "from"), "image"), properties);
    assertTrue(from.contains("17") && from.contains("jre") && hasTagOrDigest(from) && !from.endsWith(":latest"),
        "base image must be a tagged JRE 17: " + from);
    String to = resolve(text(child(config, "to"), "image"), properties);
    assertEquals(imageTag(container.getImage()), imageTag(to), "the Deployment must run the tag Jib builds");
    assertEquals(imageName(container.getImage()), imageName(to));
    assertEquals("dev.licensegateway.Main", resolve(text(c, "mainClass"), properties));
    assertEquals(List.of("run"), children(child(c, "args")).stream().map(Node::getTextContent).toList());
    assertEquals(List.of(String.valueOf(containerPort().getContainerPort())),
        children(child(c, "ports")).stream().map(Node::getTextContent).toList());
    String user = resolve(text(c, "user"), properties);
    long uid = Long.parseLong(user.split(":")[0]);
    assertTrue(uid != 0, "the image must not run as root");
    Long podUid = podSpec().getSecurityContext().getRunAsUser();
    assertTrue(podUid == null || podUid == uid, "runAsUser " + podUid + " differs from the image's user " + uid);
    assertEquals(literalEnv("JAVA_TOOL_OPTIONS"), resolve(text(child(c, "environment"), "JAVA_TOOL_OPTIONS"), properties),
        "the image and the Deployment must run the JVM with the same flags");
  }

  // ---------------------------------------------------------------- helpers

  private static <T extends HasMetadata> List<T> all(Class<T> type) {
    return manifests.stream().map(Manifest::resource).filter(type::isInstance).map(type::cast).toList();
  }

  private static <T extends HasMetadata> T only(Class<T> type) {
    List<T> found = all(type);
    assertEquals(1, found.size(), "expected one " + type.getSimpleName() + " in k8s/, found " + found.size());
    return found.get(0);
  }

  private static PodSpec podSpec() {
    return deployment.getSpec().getTemplate().getSpec();
  }

  private static Map<String, String> podLabels() {
    return deployment.getSpec().getTemplate().getMetadata().getLabels();
  }

  private static ContainerPort containerPort() {
    List<ContainerPort> ports = container.getPorts();
    assertEquals(1, ports.size(), "one container port: " + ports);
    return ports.get(0);
  }

  /** A named or numbered port, as the container port number. */
  private static Integer resolvePort(IntOrString port) {
    assertNotNull(port, "port missing");
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).findFirst()
        .map(ContainerPort::getContainerPort).orElse(null);
  }

  private static String protocol(NetworkPolicyPort port) {
    return port.getProtocol() == null ? "TCP" : port.getProtocol();
  }

  /** matchLabels only (matchExpressions would need a real evaluator: refuse them). */
  private static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null || selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty()) {
      return false;
    }
    assertTrue(selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty(),
        "use matchLabels only");
    return labels != null && labels.entrySet().containsAll(selector.getMatchLabels().entrySet());
  }

  private static boolean isZero(IntOrString value) {
    return value != null && (Integer.valueOf(0).equals(value.getIntVal()) || "0%".equals(value.getStrVal()));
  }

  private static String literalEnv(String name) {
    return container.getEnv().stream().filter(e -> name.equals(e.getName()) && e.getValueFrom() == null)
        .map(EnvVar::getValue).findFirst().orElse(null);
  }

  private static VolumeMount mount(String path) {
    assertNotNull(path, "mount path");
    return container.getVolumeMounts().stream().filter(m -> path.equals(m.getMountPath())).findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
  }

  private static Volume volume(String name) {
    return podSpec().getVolumes().stream().filter(v -> name.equals(v.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  /** "secret-name/key" for every key of every Secret in the template. */
  private static Map<String, String> secretKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    for (Secret secret : all(Secret.class)) {
      Map<String, String> data = secret.getStringData() == null ? Map.of() : secret.getStringData();
      data.forEach((k, v) -> keys.put(secret.getMetadata().getName() + "/" + k, v));
    }
    return keys;
  }

  private static JsonNode generator(String name) {
    for (JsonNode g : kustomization.path("configMapGenerator")) {
      if (name.equals(g.path("name").asText())) {
        return g;
      }
    }
    throw new AssertionError("no configMapGenerator " + name);
  }

  /** "generator-name/key" → file, for every `files:` entry of every configMapGenerator. */
  private static Map<String, Path> generatorFiles() {
    Map<String, Path> files = new LinkedHashMap<>();
    for (JsonNode g : kustomization.path("configMapGenerator")) {
      for (JsonNode entry : g.path("files")) {
        String spec = entry.asText();
        String key = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : Path.of(spec).getFileName().toString();
        String file = spec.contains("=") ? spec.substring(spec.indexOf('=') + 1) : spec;
        files.put(g.path("name").asText() + "/" + key, K8S.resolve(file));
      }
    }
    return files;
  }

  private static boolean hasTagOrDigest(String image) {
    return image.contains("@sha256:") || image.substring(image.lastIndexOf('/') + 1).contains(":");
  }

  private static String imageTag(String image) {
    String last = image.substring(image.lastIndexOf('/') + 1);
    return last.substring(last.indexOf(':') + 1);
  }

  private static String imageName(String image) {
    String last = image.substring(image.lastIndexOf('/') + 1);
    return last.substring(0, last.indexOf(':'));
  }

  private static String resolve(String value, Map<String, String> properties) {
    assertNotNull(value);
    Matcher m = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = properties.get(m.group(1));
      assertNotNull(v, "pom property " + m.group(1) + " undefined");
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    return m.appendTail(out).toString();
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Element e : children(parent)) {
      if (e.getTagName().equals(name)) {
        return e;
      }
    }
    return null;
  }

  private static String text(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().trim();
  }

  private static List<Element> children(Element parent) {
    List<Element> out = new ArrayList<>();
    if (parent == null) {
      return out;
    }
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element e) {
        out.add(e);
      }
    }
    return out;
  }
}
