#!/usr/bin/python3
"""The official Python client (Debian python3-kubernetes) against a kube-skew server.

    python_client.py KUBECONFIG CONTEXT [core|dynamic-crd]

Prints one JSON object per line ({"step": ..., ...}) for test/clients/python.test.ts to assert on;
a step that raised prints {"step": ..., "error": ...}. Exits 0 when every step ran. `core` (the
default) exercises CoreV1Api on ConfigMaps; `dynamic-crd` creates a CustomResourceDefinition and
drives its custom objects through kubernetes.dynamic.DynamicClient.
"""
import json
import os
import sys
import tempfile
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NS = "default"


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}, sort_keys=True), flush=True)


def main():
    v1 = client.CoreV1Api()

    # --- CRUD -------------------------------------------------------------------------------
    body = client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="py-crud", labels={"suite": "py-crud", "tier": "a"}),
        data={"a": "1"},
    )
    created = v1.create_namespaced_config_map(NS, body)
    emit("create", name=created.metadata.name, namespace=created.metadata.namespace,
         uid=created.metadata.uid, resourceVersion=created.metadata.resource_version, data=created.data)

    read = v1.read_namespaced_config_map("py-crud", NS)
    emit("read", name=read.metadata.name, uid=read.metadata.uid, labels=read.metadata.labels, data=read.data)

    # A dict body is sent as application/strategic-merge-patch+json.
    smp = v1.patch_namespaced_config_map("py-crud", NS, {"data": {"b": "2"}, "metadata": {"labels": {"tier": "b"}}})
    emit("patch-dict", data=smp.data, labels=smp.metadata.labels, resourceVersion=smp.metadata.resource_version)

    # A list body is sent as application/json-patch+json.
    jp = v1.patch_namespaced_config_map("py-crud", NS, [
        {"op": "replace", "path": "/data/a", "value": "one"},
        {"op": "remove", "path": "/data/b"},
    ])
    emit("patch-list", data=jp.data, resourceVersion=jp.metadata.resource_version)

    emit("read-after-patch", data=v1.read_namespaced_config_map("py-crud", NS).data)

    status = v1.delete_namespaced_config_map("py-crud", NS)
    emit("delete", kind=getattr(status, "kind", None), status=getattr(status, "status", None))

    try:
        v1.read_namespaced_config_map("py-crud", NS)
        emit("read-after-delete", status=200)
    except ApiException as e:
        emit("read-after-delete", status=e.status, reason=e.reason, body=json.loads(e.body))

    # --- list with a label selector ----------------------------------------------------------
    for name, labels in [("py-list-1", {"suite": "py-list", "color": "red"}),
                         ("py-list-2", {"suite": "py-list", "color": "blue"}),
                         ("py-list-3", {"suite": "py-list", "color": "red"}),
                         ("py-other", {"suite": "py-other"})]:
        v1.create_namespaced_config_map(NS, client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels)))
    names = lambda lst: sorted(i.metadata.name for i in lst.items)
    emit("list", suite=names(v1.list_namespaced_config_map(NS, label_selector="suite=py-list")),
         red=names(v1.list_namespaced_config_map(NS, label_selector="suite=py-list,color=red")),
         none=names(v1.list_namespaced_config_map(NS, label_selector="suite=nothing-here")))
    for name in ["py-list-1", "py-list-2", "py-list-3", "py-other"]:
        v1.delete_namespaced_config_map(name, NS)

    # --- watch: changes made from a thread while the stream is open --------------------------
    # Start from a list's resourceVersion so no change can slip in before the watch connects.
    start_rv = v1.list_namespaced_config_map(NS, label_selector="suite=py-watch").metadata.resource_version

    def changer():
        time.sleep(0.3)
        v1.create_namespaced_config_map(NS, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="py-watch", labels={"suite": "py-watch"}), data={"v": "1"}))
        v1.create_namespaced_config_map(NS, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="py-unwatched", labels={"suite": "other"})))
        v1.patch_namespaced_config_map("py-watch", NS, {"data": {"v": "2"}})
        v1.delete_namespaced_config_map("py-watch", NS)
        v1.delete_namespaced_config_map("py-unwatched", NS)

    thread = threading.Thread(target=changer)
    thread.start()
    events = []
    w = watch.Watch()
    for ev in w.stream(v1.list_namespaced_config_map, NS, label_selector="suite=py-watch",
                       resource_version=start_rv, timeout_seconds=20):
        obj = ev["object"]
        events.append({"type": ev["type"], "name": obj.metadata.name, "data": obj.data,
                       "resourceVersion": obj.metadata.resource_version})
        if ev["type"] == "DELETED":
            w.stop()
    thread.join()
    emit("watch", events=events)

    # --- watch with no resourceVersion: synthetic ADDED for what exists, then timeout_seconds ends it
    v1.create_namespaced_config_map(NS, client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="py-existing", labels={"suite": "py-existing"}), data={"v": "e"}))
    started = time.monotonic()
    existing = [{"type": ev["type"], "name": ev["object"].metadata.name, "data": ev["object"].data}
                for ev in watch.Watch().stream(v1.list_namespaced_config_map, NS,
                                               label_selector="suite=py-existing", timeout_seconds=2)]
    emit("watch-timeout", events=existing, seconds=round(time.monotonic() - started, 2))
    v1.delete_namespaced_config_map("py-existing", NS)

    emit("end")


# --- a CustomResourceDefinition and its custom objects through the dynamic client ----------------
CRD_GROUP = "py.example.com"
CRD_API_VERSION = CRD_GROUP + "/v1"
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "gadgets." + CRD_GROUP},
    "spec": {
        "group": CRD_GROUP,
        "scope": "Namespaced",
        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget", "shortNames": ["gd"]},
        "versions": [{
            "name": "v1", "served": True, "storage": True,
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {
                "type": "object",
                "x-kubernetes-validations": [{"rule": "self.mode == 'fast' || !has(self.tags)",
                                              "message": "only fast gadgets have tags"}],
                "properties": {
                    "size": {"type": "integer", "minimum": 1, "maximum": 10},
                    "mode": {"type": "string", "enum": ["fast", "slow"], "default": "slow"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                },
            }}}},
        }],
    },
}


def poll(fn, ok, seconds=30, every=0.1):
    """Call fn until ok(result) or seconds passed; returns (result, errors seen meanwhile)."""
    deadline = time.monotonic() + seconds
    seen = []
    while True:
        try:
            result = fn()
            if ok(result):
                return result, seen
        except Exception as e:  # the window before the server serves the CRD
            seen.append("%s %s" % (type(e).__name__, getattr(e, "status", "")))
            result = None
        if time.monotonic() > deadline:
            return result, seen
        time.sleep(every)


def gadget(name, spec, labels=None):
    return {"apiVersion": CRD_API_VERSION, "kind": "Gadget",
            "metadata": {"name": name, "labels": labels or {}}, "spec": spec}


def main_dynamic_crd():
    # The dynamic client caches discovery in a file; keep it out of the shared temp directory.
    with tempfile.TemporaryDirectory(prefix="kube-skew-py-discovery-") as cache_dir:
        dynamic_crd_steps(os.path.join(cache_dir, "discovery.json"))


def dynamic_crd_steps(cache_file):
    from kubernetes.dynamic import DynamicClient
    from kubernetes.dynamic.exceptions import ResourceNotFoundError

    dyn = DynamicClient(client.ApiClient(), cache_file=cache_file)
    crds = dyn.resources.get(api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition")
    created = crds.create(body=CRD)
    emit("crd-create", name=created.metadata.name, uid=created.metadata.uid)

    def established(crd):
        return any(c["type"] == "Established" and c["status"] == "True"
                   for c in (crd.to_dict().get("status") or {}).get("conditions") or [])
    crd, _ = poll(lambda: crds.get(name=CRD["metadata"]["name"]), established)
    status = crd.to_dict()["status"]
    emit("crd-established", established=established(crd), acceptedNames=status.get("acceptedNames"),
         storedVersions=status.get("storedVersions"))

    # Discovery is cached; resources.get refreshes it once when the kind is not found.
    def find():
        return dyn.resources.get(api_version=CRD_API_VERSION, kind="Gadget")
    gadgets, seen = poll(find, lambda r: r is not None)
    emit("discover", name=gadgets.name, kind=gadgets.kind, namespaced=gadgets.namespaced,
         group_version=gadgets.group_version, short_names=list(gadgets.short_names or []),
         verbs=sorted(gadgets.verbs or []),
         seen=sorted(set(s for s in seen if not s.startswith(ResourceNotFoundError.__name__))))

    obj, seen = poll(lambda: gadgets.create(body=gadget("py-g1", {"size": 3}, {"suite": "py-dyn"}), namespace=NS),
                     lambda r: r is not None)
    emit("create", name=obj.metadata.name, namespace=obj.metadata.namespace, uid=obj.metadata.uid,
         resourceVersion=obj.metadata.resourceVersion, kind=obj.kind, apiVersion=obj.apiVersion,
         spec=obj.to_dict()["spec"], seen=sorted(set(seen)))

    read = gadgets.get(name="py-g1", namespace=NS)
    emit("get", uid=read.metadata.uid, spec=read.to_dict()["spec"])

    gadgets.create(body=gadget("py-g2", {"size": 5, "mode": "fast"}, {"suite": "py-dyn"}), namespace=NS)
    gadgets.create(body=gadget("py-g3", {"size": 1}, {"suite": "py-other"}), namespace=NS)
    listed = gadgets.get(namespace=NS, label_selector="suite=py-dyn")
    emit("list", kind=listed.kind, apiVersion=listed.apiVersion,
         resourceVersion=listed.metadata.resourceVersion,
         names=sorted(i.metadata.name for i in listed.items))

    # The dynamic client's default patch type is strategic merge, which custom resources refuse.
    try:
        gadgets.patch(body={"spec": {"size": 4}}, name="py-g1", namespace=NS)
        emit("patch-strategic", status=200)
    except ApiException as e:
        emit("patch-strategic", status=e.status, body=json.loads(e.body))

    merged = gadgets.patch(body={"spec": {"size": 4, "mode": "fast", "tags": ["a", "b"]}, "metadata": {"labels": {"tier": "b"}}},
                           name="py-g1", namespace=NS, content_type="application/merge-patch+json")
    emit("patch-merge", spec=merged.to_dict()["spec"], labels=merged.to_dict()["metadata"]["labels"],
         resourceVersion=merged.metadata.resourceVersion)

    try:
        gadgets.patch(body={"spec": {"mode": "slow"}}, name="py-g1", namespace=NS,
                      content_type="application/merge-patch+json")
        emit("patch-rule", status=200)
    except ApiException as e:
        emit("patch-rule", status=e.status, body=json.loads(e.body))

    jp = gadgets.patch(body=[{"op": "replace", "path": "/spec/size", "value": 6},
                             {"op": "remove", "path": "/spec/tags"}],
                       name="py-g1", namespace=NS, content_type="application/json-patch+json")
    emit("patch-json", spec=jp.to_dict()["spec"], resourceVersion=jp.metadata.resourceVersion)

    try:
        gadgets.create(body=gadget("py-bad", {"size": 0, "mode": "warp"}), namespace=NS)
        emit("invalid", status=201)
    except ApiException as e:
        emit("invalid", status=e.status, exception=type(e).__name__,
             is_api_exception=isinstance(e, ApiException), body=json.loads(e.body))

    deleted = gadgets.delete(name="py-g1", namespace=NS)
    emit("delete", kind=deleted.kind, status=deleted.to_dict().get("status"), uid=deleted.to_dict().get("metadata", {}).get("uid"))
    try:
        gadgets.get(name="py-g1", namespace=NS)
        emit("get-after-delete", status=200)
    except ApiException as e:
        emit("get-after-delete", status=e.status, exception=type(e).__name__, body=json.loads(e.body))
    for name in ["py-g2", "py-g3"]:
        gadgets.delete(name=name, namespace=NS)

    emit("end")


if __name__ == "__main__":
    try:
        kubeconfig, context = sys.argv[1], sys.argv[2]
        config.load_kube_config(config_file=kubeconfig, context=context)
        mode = sys.argv[3] if len(sys.argv) > 3 else "core"
        {"core": main, "dynamic-crd": main_dynamic_crd}[mode]()
    except Exception as e:  # report, then fail
        emit("error", error="%s: %s" % (type(e).__name__, e))
        sys.exit(1)
