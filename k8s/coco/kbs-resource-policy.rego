# Trustee KBS resource policy: releases default/key/people (the SimpleQuery master key), the OSS
# credentials the TaskManagers' sealed secrets point to, and the key that verifies those sealed
# secrets, only to a SimpleQuery TaskManager in a TDX Confidential Containers pod whose
# measurements are the expected ones. Everything else is denied.
#
# Load it with: kbs-client --url https://KBS config --auth-private-key admin.key \
#   set-resource-policy --policy-file kbs-resource-policy.rego
#
# The values to pin (k8s/README.md, "Pinning the TaskManager's measurements"):
# - mr_td: the TD firmware (TDVF/OVMF) of your kata-qemu-tdx runtime class;
# - rtmr_1, rtmr_2: the guest kernel and its command line (with the dm-verity root hash) of the
#   kata guest image; they change with every kata release;
# - mr_config_id: SHA-384 of k8s/coco/initdata.toml as committed (k8s/coco/encode-initdata.sh
#   prints it; a test checks this file pins exactly that value).
package policy

import rego.v1

default allow := false

expected_mr_td := {"REPLACE-WITH-MRTD-OF-YOUR-KATA-TDX-FIRMWARE"}

expected_rtmr_1 := {"REPLACE-WITH-RTMR1-OF-YOUR-KATA-GUEST-KERNEL"}

expected_rtmr_2 := {"REPLACE-WITH-RTMR2-OF-YOUR-KATA-GUEST-CMDLINE"}

expected_mr_config_id := "681a365d93b9dd420c169a39109169188e5f061863c99708895f6a0d2bed33deb8a76598a5d6a6fd954b8150a6e042bf"

released_resources := {
	["default", "key", "people"],
	["default", "oss", "access-key-id"],
	["default", "oss", "access-key-secret"],
	["default", "sealed-secret", "signing-key"],
}

allow if {
	data["resource-path"] in released_resources
	cpu := input.submods.cpu0
	cpu["ear.status"] == "affirming"
	tdx := cpu["ear.veraison.annotated-evidence"].tdx
	tdx.td_attributes.debug == false
	tdx.quote.body.mr_td in expected_mr_td
	tdx.quote.body.rtmr_1 in expected_rtmr_1
	tdx.quote.body.rtmr_2 in expected_rtmr_2
	tdx.quote.body.mr_config_id == expected_mr_config_id
}
