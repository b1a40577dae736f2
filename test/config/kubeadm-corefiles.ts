/**
 * kubeadm's default Corefiles (cmd/kubeadm/app/phases/addons/dns/manifests.go), with the cluster
 * domain filled in: today's, which keeps the cluster domain out of the cache, and the older one
 * with a bare `cache 30`.
 */

export const KUBEADM_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;

export const KUBEADM_COREFILE_OLD = KUBEADM_COREFILE.replace(/cache 30 \{[^}]*\}/, 'cache 30');
