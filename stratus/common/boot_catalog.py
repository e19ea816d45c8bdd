"""A boot's flavor and image: the checks they must pass (Nova's, each a
400) and the instance columns they give.

The api runs them on what it read; from conductor RPC 1.12 the
conductor runs them on what it reads in the transaction that records
the servers (create_instances_by_ref), one call less a boot. One rule
either way, so both answer the same 400."""
from stratus.common import exception
from stratus.common.vocabulary import ImageStatus

_GIB = 1024 ** 3


def visible(ctxt, image):
    """Whether `ctxt` may see (and boot) the image."""
    return (ctxt.is_admin or image.visibility in ("public", "community")
            or image.owner == ctxt.project_id)


def check_flavor(flavor):
    if flavor.disabled:
        raise exception.Invalid("Flavor is disabled.")
    return flavor


def check_image(image, image_id):
    if image.status != ImageStatus.ACTIVE:
        raise exception.Invalid(f"Image {image_id} is not active.")
    return image


def check_flavor_fits(flavor, image):
    """Nova's checks of the flavor against the image's minimums."""
    if image.min_ram and flavor.memory_mb < image.min_ram:
        raise exception.Invalid("Flavor's memory is too small for requested image.")
    if flavor.root_gb and image.min_disk and flavor.root_gb < image.min_disk:
        raise exception.Invalid("Flavor's disk is too small for requested image.")
    if flavor.root_gb and (image.size or 0) > flavor.root_gb * _GIB:
        raise exception.Invalid(f"Flavor's disk is too small for requested image. Flavor disk "
                                f"is {flavor.root_gb * _GIB} bytes, image is {image.size} bytes.")


def checked(ctxt, flavor, image, image_id):
    """(flavor, image) of a boot once both pass: the flavor enabled, the
    image (None: there is none) visible to `ctxt` and active, the flavor
    big enough for it. Invalid (a 400) otherwise."""
    check_flavor(flavor)
    if image is None or not visible(ctxt, image):
        raise exception.Invalid(exception.ImageNotFound(image_id=image_id).message)
    check_image(image, image_id)
    check_flavor_fits(flavor, image)
    return flavor, image


def instance_values(flavor, image):
    """The instance columns that come from its flavor and image."""
    return {"flavor": flavor, "image_ref": image.id, "vcpus": flavor.vcpus,
            "memory_mb": flavor.memory_mb, "root_gb": flavor.root_gb,
            "ephemeral_gb": flavor.ephemeral_gb}
