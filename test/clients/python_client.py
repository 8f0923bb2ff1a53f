#!/usr/bin/python3
"""The official Python client (Debian python3-kubernetes) against a kube-skew server.

    python_client.py KUBECONFIG CONTEXT

Prints one JSON object per line ({"step": ..., ...}) for test/clients/python.test.ts to assert on;
a step that raised prints {"step": ..., "error": ...}. Exits 0 when every step ran.
"""
import json
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

NS = "default"


def emit(step, **fields):
    print(json.dumps({"step": step, **fields}, sort_keys=True), flush=True)


def main():
    kubeconfig, context = sys.argv[1], sys.argv[2]
    config.load_kube_config(config_file=kubeconfig, context=context)
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


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # report, then fail
        emit("error", error="%s: %s" % (type(e).__name__, e))
        sys.exit(1)
