package apply

import "github.com/labctl/labctl/i18n"

var (
	msgUnknownKind = i18n.M("apply.unknown-kind",
		"the cluster does not know %s %s (%s): check apiVersion and kind, or install the CRD that defines it",
		"클러스터가 %s %s 를 모릅니다 (%s): apiVersion 과 kind 를 확인하거나, 이를 정의하는 CRD 를 먼저 설치하세요")
	msgImagePull = i18n.M("apply.image-pull",
		"image %s cannot be pulled for %s (%s): %s",
		"이미지 %s 를 받아올 수 없습니다. 대상: %s (%s): %s")
	fixImagePull = i18n.M("apply.image-pull.fix",
		"check the image name and your network; with no registry, load a bundle first: labctl images load bundle.tar",
		"이미지 이름과 네트워크를 확인하세요. 레지스트리에 닿을 수 없다면 먼저 번들을 올리세요: labctl images load bundle.tar")
	msgNotReady = i18n.M("apply.not-ready",
		"%s is not ready after %s: %s",
		"%s 가 %s 가 지나도 준비되지 않았습니다: %s")
	msgImmutable = i18n.M("apply.immutable",
		"%s (%s) cannot be changed in place to match the manifest",
		"%s (%s) 를 매니페스트대로 그 자리에서 바꿀 수 없습니다")
	fixImmutable = i18n.M("apply.immutable.fix",
		"some fields are fixed at creation (a Service's clusterIP, a Deployment's selector), and entries someone added with kubectl edit stay: delete the object and apply again, or use --force to re-create it",
		"만들 때 정해지면 바꿀 수 없는 필드(Service 의 clusterIP, Deployment 의 selector)가 있고, kubectl edit 로 더한 항목은 남습니다: 오브젝트를 지우고 다시 적용하거나 --force 로 다시 만드세요")
	msgUnready = i18n.M("apply.unready",
		"%s cannot finish: pod %s runs but is not Ready after %s, its readinessProbe keeps failing: %s",
		"%s 를 끝낼 수 없습니다: 파드 %s 가 실행 중이지만 %s 가 지나도 Ready 가 아니고, readinessProbe 가 계속 실패합니다: %s")
	fixUnready = i18n.M("apply.unready.fix",
		"the objects are applied; point the probe at a port and path the container serves (kubectl describe pod %s shows its failures) and apply again; labctl check names what else is wrong",
		"오브젝트는 적용되었습니다. probe 가 컨테이너가 실제로 서비스하는 포트와 경로를 보게 고친 뒤 다시 적용하세요 (kubectl describe pod %s 가 실패를 보여 줍니다). 그 밖의 문제는 labctl check 가 알려 줍니다")
	msgJobFailed = i18n.M("apply.job-failed",
		"Job %s failed: %s",
		"Job %s 가 실패했습니다: %s")

	// Rollout progress, as `labctl up` and `labctl apply` show it.
	stNewSpec           = i18n.M("apply.status.new-spec", "waiting for the controller to see the new spec", "컨트롤러가 새 spec 을 반영하기를 기다리는 중")
	stReplicasUpdated   = i18n.M("apply.status.replicas-updated", "%d of %d replicas updated", "레플리카 %d/%d 개 갱신됨")
	stOldReplicas       = i18n.M("apply.status.old-replicas", "%d old replicas still terminating", "이전 레플리카 %d 개가 아직 종료 중")
	stReplicasAvailable = i18n.M("apply.status.replicas-available", "%d of %d replicas available", "레플리카 %d/%d 개 사용 가능")
	stNoPods            = i18n.M("apply.status.no-pods", "no pods scheduled yet", "아직 배치된 파드가 없음")
	stPodsUpdated       = i18n.M("apply.status.pods-updated", "%d of %d pods updated", "파드 %d/%d 개 갱신됨")
	stPodsAvailable     = i18n.M("apply.status.pods-available", "%d of %d pods available", "파드 %d/%d 개 사용 가능")
	stReplicasReady     = i18n.M("apply.status.replicas-ready", "%d of %d replicas ready", "레플리카 %d/%d 개 준비됨")
	stRolling           = i18n.M("apply.status.rolling", "rolling update in progress", "롤링 업데이트 진행 중")
	stJob               = i18n.M("apply.status.job", "%d succeeded, %d active, %d failed", "성공 %d, 실행 중 %d, 실패 %d")
	stPod               = i18n.M("apply.status.pod", "pod %s", "파드 %s")
	stUnschedulable     = i18n.M("apply.status.unschedulable", "unschedulable: %s", "배치할 수 없음: %s")
)
